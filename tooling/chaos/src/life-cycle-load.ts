import type { ChatMessage } from "@parley/client";
import { canonicalReactions, type MessageStateView, type StateSnapshot } from "./check-states";
import type { ChaosClient, ChaosDialog, Population } from "./population";
import type { Rng } from "./prng";

/**
 * The life-cycle part of the load: edits, deletes and reactions sent into the same pipelines as the
 * messages, under the same faults. Each targets a message the sending client shows as confirmed:
 * edits and deletes its own user's (any of that user's clients may edit), reactions anyone's.
 */
const EMOJI = ["👍", "🎉", "🔥"];

export const keyOfText = (text: string): string => text.split(" ")[0] ?? "";

/** Sends one random change in the dialog, if the client shows a message to change. */
export function sendChange(client: ChaosClient, dialogId: string, rng: Rng): void {
  const shown = client.engine
    .messages(dialogId)
    .filter((m) => m.id !== null && m.content.kind === "text" && !m.changePending);
  const own = shown.filter((m) => m.senderId === client.userId);
  const roll = rng.next();
  if (own.length > 0 && roll < 0.1) {
    record(client, dialogId, "delete", rng.pick(own), (id) => client.engine.deleteMessage(dialogId, id));
    return;
  }
  if (own.length > 0 && roll < 0.45) {
    const target = rng.pick(own);
    const text = `${keyOfText(textOf(target))} edited${rng.int(1, 999)}`;
    record(client, dialogId, "edit", target, (id) => client.engine.edit(dialogId, id, text));
    return;
  }
  if (shown.length === 0) return;
  const target = rng.pick(shown);
  const emoji = rng.pick(EMOJI);
  const mine = target.reactions.find((r) => r.emoji === emoji)?.mine ?? false;
  record(client, dialogId, `reaction ${emoji} ${mine ? "off" : "on"}`, target, (id) =>
    client.engine.react(dialogId, id, emoji, !mine),
  );
}

function record(
  client: ChaosClient,
  dialogId: string,
  what: string,
  target: ChatMessage,
  send: (targetId: string) => string,
): void {
  const targetId = target.id;
  if (!targetId) return;
  const localId = send(targetId);
  client.changes.push({ localId, dialogId, what, targetId, targetKey: keyOfText(textOf(target)) });
}

function textOf(message: { content: { kind: string; text?: string } }): string {
  return message.content.kind === "text" ? (message.content.text ?? "") : "";
}

/** The original key of every message some client deleted (its text is gone from the server). */
export function deletedKeys(population: Population): Map<string, string> {
  const keys = new Map<string, string>();
  for (const client of population.clients) {
    for (const change of client.changes)
      if (change.what === "delete") keys.set(change.targetId, change.targetKey);
  }
  return keys;
}

type StateLike = {
  id: string | null;
  content: { kind: string; text?: string };
  editedAt?: number | null;
  state?: { editedAt: number | null; reactions: { emoji: string; count: number; userIds: string[] }[] };
  reactions?: { emoji: string; count: number; userIds: string[] }[];
};

export function toStateView(message: StateLike): MessageStateView | null {
  if (!message.id) return null;
  const deleted = message.content.kind === "deleted";
  return {
    id: message.id,
    deleted,
    text: deleted ? "" : textOf(message),
    edited: (message.editedAt ?? message.state?.editedAt ?? null) !== null,
    reactions: canonicalReactions(message.reactions ?? message.state?.reactions ?? []),
  };
}

/** What the clients of a dialog show of each message's state, and what their changes came to. */
export function clientStates(
  population: Population,
  dialog: ChaosDialog,
  server: MessageStateView[],
): StateSnapshot {
  const members = population.membersOf(dialog);
  return {
    dialogId: dialog.id,
    kind: dialog.kind,
    server,
    views: members.map((client) => ({
      client: client.label,
      states: client.engine
        .messages(dialog.id)
        .filter((m) => m.seq !== null)
        .flatMap((m) => toStateView(m) ?? []),
    })),
    changes: members.flatMap((client) =>
      client.changes
        .filter((change) => change.dialogId === dialog.id)
        .map((change) => {
          const status = client.statuses.get(change.localId);
          return {
            client: client.label,
            what: `${change.what} of ${change.targetKey}`,
            status: status?.status ?? null,
            ...(status?.error === undefined ? {} : { error: status.error }),
          };
        }),
    ),
  };
}
