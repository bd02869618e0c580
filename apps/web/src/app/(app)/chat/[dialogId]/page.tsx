import { Conversation } from "~/components/chat/conversation";

export default async function ConversationPage({ params }: { params: Promise<{ dialogId: string }> }) {
  const { dialogId } = await params;
  // Keyed so switching dialogs starts from a clean view (scroll, composer, read tracking).
  return <Conversation key={dialogId} dialogId={dialogId} />;
}
