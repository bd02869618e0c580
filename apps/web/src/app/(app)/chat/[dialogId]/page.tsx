import { Conversation } from "~/components/chat/conversation";
import { loadConversationSeed } from "~/server/initial-data";

export default async function ConversationPage({ params }: { params: Promise<{ dialogId: string }> }) {
  const { dialogId } = await params;
  // The newest messages, members and names, rendered on the server: the first paint is complete.
  const seed = await loadConversationSeed(dialogId);
  // Keyed so switching dialogs starts from a clean view (scroll, composer, read tracking).
  return <Conversation key={dialogId} dialogId={dialogId} seed={seed} />;
}
