import { checkDialogs, type DialogSnapshot, type Findings } from "./check";
import { checkProfiles } from "./check-profiles";
import { checkStates, type MessageStateView, type StateSnapshot } from "./check-states";
import { clientStates, deletedKeys, keyOfText, toStateView } from "./life-cycle-load";
import type { Population } from "./population";
import { clientNames, type RenameOutcome, serverNames } from "./profile-load";

/** Every invariant: delivery and order (check.ts), the message life cycle (check-states.ts), names (check-profiles.ts). */
export async function judge(population: Population, renames: readonly RenameOutcome[]): Promise<Findings> {
  const { dialogs, states } = await snapshot(population);
  const names = checkProfiles(await serverNames(population, withRetry), clientNames(population), renames);
  const findings = checkDialogs(dialogs);
  const life = checkStates(states);
  findings.changes += life.changes;
  findings.changesRefused += life.changesRefused;
  findings.stateMismatches += life.stateMismatches;
  findings.changeFailures += life.changeFailures;
  findings.renames = names.renames;
  findings.renamesFailed = names.renamesFailed;
  findings.nameMismatches = names.nameMismatches;
  findings.userNameMismatches = names.userNameMismatches;
  for (const details of [life.details, names.details]) {
    findings.details.push(...details.slice(0, Math.max(0, 40 - findings.details.length)));
  }
  return findings;
}

const CHANGE_KINDS = new Set(["edit", "delete", "reaction"]);

/**
 * The server's timeline of each dialog (read as a member) and what every member's client shows.
 * Change rows (edits, deletes, reactions) take seqs but are not messages: the messages are judged
 * by check.ts, their states by check-states.ts. A deleted message keeps the key its deleter saw.
 */
async function snapshot(
  population: Population,
): Promise<{ dialogs: DialogSnapshot[]; states: StateSnapshot[] }> {
  const keyOf = keyOfText;
  const deleted = deletedKeys(population);
  const textOf = (content: { kind: string; text?: string }) =>
    content.kind === "text" ? (content.text ?? "") : "";
  const messageKey = (m: { id: string | null; content: { kind: string; text?: string } }) =>
    m.content.kind === "deleted" ? (deleted.get(m.id ?? "") ?? `deleted:${m.id}`) : keyOf(textOf(m.content));
  const serverStates = new Map<string, MessageStateView[]>();
  const dialogs = await Promise.all(
    population.dialogs.map(async (dialog, index) => {
      const members = population.membersOf(dialog);
      // Each dialog read by another member's observer, retried past a read-budget refusal.
      const reader = population.users[dialog.members[index % dialog.members.length] ?? 0]?.observer;
      if (!reader) throw new Error(`no observer for dialog ${dialog.id}`);
      const server: DialogSnapshot["server"] = [];
      let afterSeq = 0;
      for (;;) {
        const page = await withRetry(() => reader.sync({ dialogId: dialog.id, afterSeq, limit: 200 }));
        const states = serverStates.get(dialog.id) ?? [];
        serverStates.set(dialog.id, states);
        for (const m of page.messages) {
          if (CHANGE_KINDS.has(m.content.kind)) continue;
          server.push({ seq: m.seq, id: m.id, key: messageKey(m) });
          const state = toStateView(m);
          if (state) states.push(state);
        }
        const last = page.messages.at(-1)?.seq;
        if (!page.hasMore || last === undefined) break;
        afterSeq = last;
      }
      return {
        dialogId: dialog.id,
        kind: dialog.kind,
        server,
        views: members.map((client) => ({
          client: client.label,
          shown: client.engine.messages(dialog.id).map((m) => ({
            seq: m.seq,
            id: m.id,
            key: messageKey(m),
            status: m.status,
          })),
        })),
        sent: members.flatMap((client) =>
          client.sent
            .filter((s) => s.dialogId === dialog.id)
            .map((s) => {
              const status = client.statuses.get(s.localId);
              return {
                client: client.label,
                key: keyOf(s.text),
                expectRefusal: s.expectRefusal,
                status: status?.status ?? null,
                ...(status?.msgId === undefined ? {} : { msgId: status.msgId }),
                ...(status?.error === undefined ? {} : { error: status.error }),
              };
            }),
        ),
      };
    }),
  );
  const states = population.dialogs.map((dialog) =>
    clientStates(population, dialog, serverStates.get(dialog.id) ?? []),
  );
  return { dialogs, states };
}

/** A read the judge needs: retried (1 s apart, ≤ 20 times) while the API is rate limiting or away. */
export async function withRetry<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const retryable =
        code === "TOO_MANY_REQUESTS" || code === "NETWORK" || code === "INTERNAL_SERVER_ERROR";
      if (!retryable || attempt >= 20) throw error;
      await Bun.sleep(1_000);
    }
  }
}
