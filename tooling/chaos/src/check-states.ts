/**
 * The message life cycle's invariant, judged after healing: every client shows every message in
 * the state the server holds — the same text (edits), the same tombstone (deletes), the same
 * reaction counts and reactors — and every edit, delete and reaction a client sent ended acked, or
 * refused for a reason a race explains (its message was deleted meanwhile). Pure, like check.ts.
 */
export type MessageStateView = {
  id: string;
  deleted: boolean;
  text: string;
  edited: boolean;
  /** Canonical: "emoji:count:user,user" joined by "|", emoji in order. */
  reactions: string;
};

export type ChangeOutcome = { client: string; what: string; status: string | null; error?: string };

export type StateSnapshot = {
  dialogId: string;
  kind: string;
  server: MessageStateView[];
  views: { client: string; states: MessageStateView[] }[];
  changes: ChangeOutcome[];
};

export type StateFindings = {
  changes: number;
  changesAcked: number;
  /** Refusals a race explains (the target was deleted first). */
  changesRefused: number;
  /** (client, message) pairs whose state differs from the server's. */
  stateMismatches: number;
  /** A change refused for any other reason, or never settled. */
  changeFailures: number;
  details: string[];
};

/** A refusal a concurrent delete explains: the message was gone when the change reached the server. */
const RACE_REASONS = ["NOT_FOUND"];

export function canonicalReactions(
  reactions: readonly { emoji: string; count: number; userIds: readonly string[] }[],
): string {
  return reactions
    .map((r) => `${r.emoji}:${r.count}:${[...r.userIds].sort().join(",")}`)
    .sort()
    .join("|");
}

export function checkStates(snapshots: readonly StateSnapshot[], maxDetails = 40): StateFindings {
  const findings: StateFindings = {
    changes: 0,
    changesAcked: 0,
    changesRefused: 0,
    stateMismatches: 0,
    changeFailures: 0,
    details: [],
  };
  const note = (line: string) => {
    if (findings.details.length < maxDetails) findings.details.push(line);
  };
  for (const dialog of snapshots) {
    const truth = new Map(dialog.server.map((state) => [state.id, state]));
    for (const view of dialog.views) {
      for (const shown of view.states) {
        const server = truth.get(shown.id);
        if (!server) continue; // not committed: check.ts judges that (phantoms)
        const differs = (Object.keys(server) as (keyof MessageStateView)[]).filter(
          (k) => server[k] !== shown[k],
        );
        if (differs.length === 0) continue;
        findings.stateMismatches++;
        note(
          `[${dialog.kind} ${dialog.dialogId}] ${view.client} shows message ${shown.id} with ${differs
            .map((k) => `${k}=${JSON.stringify(shown[k])} (server ${JSON.stringify(server[k])})`)
            .join(", ")}`,
        );
      }
    }
    for (const change of dialog.changes) {
      findings.changes++;
      const reason = (change.error ?? "").split(":")[0]?.trim() ?? "";
      if (change.status === "sent") findings.changesAcked++;
      else if (change.status === "failed" && RACE_REASONS.includes(reason)) findings.changesRefused++;
      else {
        findings.changeFailures++;
        note(
          `[${dialog.kind} ${dialog.dialogId}] ${change.client}'s ${change.what} ended ${change.status}: ${change.error ?? ""}`,
        );
      }
    }
  }
  return findings;
}
