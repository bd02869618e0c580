import { resolveMessageAttachments } from "@parley/attachments/send-check";
import type { Actor } from "../../actor";
import { requireMember } from "../../dialog/access";
import type { CoreServices } from "../../services";
import type { SendInput } from "./try";

/**
 * A message with files carries the server's facts about them, never the client's: each reference
 * must be the sender's own finished upload in this dialog (one IN read on the dialog's shard), and
 * its name, size, type and dimensions are replaced by the row's. Checked before Try, so a refused
 * message writes nothing; a retry of a sent one passes again (the rows do not change).
 */
export async function withAttachmentFacts(
  deps: Pick<CoreServices, "db">,
  actor: Actor,
  input: SendInput,
): Promise<SendInput> {
  if (input.content.kind !== "media") return input;
  try {
    const attachments = await resolveMessageAttachments(
      deps.db,
      input.dialogId,
      actor.userId,
      input.content.attachments,
    );
    return { ...input, content: { ...input.content, attachments } };
  } catch (error) {
    // Not a member is NOT_FOUND, as for every send: a stranger learns nothing about the dialog.
    await requireMember(deps.db, input.dialogId, actor.userId);
    throw error;
  }
}
