/**
 * The invariants, judged after healing against the server's timeline (read through the API as a
 * member). Pure: a snapshot in, findings out, so the rules are unit-tested on their own.
 *
 * A message is named by its text's key ("u1.c0#7": client u1.c0, its 8th message in that dialog),
 * unique per run, which also gives each sender's send order.
 */
export type ServerMessage = { seq: number; id: string; key: string };
export type ShownMessage = { seq: number | null; id: string | null; key: string; status: string };
export type SentOutcome = {
  client: string;
  key: string;
  expectRefusal: boolean;
  /** The sender engine's last word on it: pending, sent (with msgId), failed (with error). */
  status: string | null;
  msgId?: string;
  error?: string;
};
export type DialogSnapshot = {
  dialogId: string;
  kind: string;
  server: ServerMessage[];
  views: { client: string; shown: ShownMessage[] }[];
  sent: SentOutcome[];
};

export type Findings = {
  sent: number;
  acked: number;
  committed: number;
  failed: number;
  /** Failure reasons (error codes) over every failed send, expected refusals included. */
  failedReasons: Record<string, number>;
  falseFailures: number;
  /** Messages the server had to refuse, reported failed as they should be. */
  refusals: number;
  missedRefusals: number;
  /** (client, committed message) pairs where the client does not show it. */
  lost: number;
  duplicates: number;
  /** Shown at a seq where the server has another message. */
  orderViolations: number;
  /** A later message of one sender committed before an earlier one. */
  senderOrderViolations: number;
  /** Shown as confirmed but not in the server's timeline (never acknowledged). */
  phantoms: number;
  failedButCommitted: number;
  ackedButMissing: number;
  /** Still pending at the end (no ack, no failure). */
  unsettled: number;
  /** Edits, deletes and reactions sent, and those a concurrent delete refused (check-states.ts). */
  changes: number;
  changesRefused: number;
  /** (client, message) pairs whose edited / deleted / reacted state differs from the server's. */
  stateMismatches: number;
  /** Changes refused for a reason no race explains, or never settled. */
  changeFailures: number;
  /** User and group renames sent, and those the API failed (check-profiles.ts). */
  renames: number;
  renamesFailed: number;
  /** (client, user or group) pairs whose held name or version differs from the server's. */
  nameMismatches: number;
  /** Of those, users' names; `namesByReconnect`: how many only the forced reconnect converged. */
  userNameMismatches: number;
  namesByReconnect: number;
  details: string[];
};

export const VIOLATION_KEYS = [
  "falseFailures",
  "missedRefusals",
  "lost",
  "duplicates",
  "orderViolations",
  "senderOrderViolations",
  "phantoms",
  "failedButCommitted",
  "ackedButMissing",
  "unsettled",
  "stateMismatches",
  "changeFailures",
  "nameMismatches",
] as const satisfies readonly (keyof Findings)[];

export function emptyFindings(): Findings {
  return {
    sent: 0,
    acked: 0,
    committed: 0,
    failed: 0,
    failedReasons: {},
    falseFailures: 0,
    refusals: 0,
    missedRefusals: 0,
    lost: 0,
    duplicates: 0,
    orderViolations: 0,
    senderOrderViolations: 0,
    phantoms: 0,
    failedButCommitted: 0,
    ackedButMissing: 0,
    unsettled: 0,
    changes: 0,
    changesRefused: 0,
    stateMismatches: 0,
    changeFailures: 0,
    renames: 0,
    renamesFailed: 0,
    nameMismatches: 0,
    userNameMismatches: 0,
    namesByReconnect: 0,
    details: [],
  };
}

export function violationCount(findings: Findings): number {
  return VIOLATION_KEYS.reduce((sum, key) => sum + findings[key], 0);
}

const MAX_DETAILS = 40;

/** "u1.c0#7" → ["u1.c0", 7]. */
export function parseKey(key: string): { sender: string; n: number } | null {
  const match = /^(.+)#(\d+)$/.exec(key);
  return match ? { sender: match[1] as string, n: Number(match[2]) } : null;
}

/** Short code of an engine error string ("CONFLICT: …" → "CONFLICT"). */
export function reasonOf(error: string | undefined): string {
  return (error ?? "unknown").split(":")[0]?.trim() || "unknown";
}

export function checkDialogs(snapshots: readonly DialogSnapshot[]): Findings {
  const findings = emptyFindings();
  const note = (line: string) => {
    if (findings.details.length < MAX_DETAILS) findings.details.push(line);
  };
  for (const dialog of snapshots)
    checkDialog(dialog, findings, (line) => note(`[${dialog.kind} ${dialog.dialogId}] ${line}`));
  return findings;
}

function checkDialog(dialog: DialogSnapshot, findings: Findings, note: (line: string) => void): void {
  const bySeq = new Map<number, ServerMessage>();
  const byKey = new Map<string, ServerMessage[]>();
  const ids = new Set<string>();
  for (const message of dialog.server) {
    bySeq.set(message.seq, message);
    ids.add(message.id);
    const list = byKey.get(message.key) ?? [];
    list.push(message);
    byKey.set(message.key, list);
  }
  findings.committed += dialog.server.length;

  // The server itself: each message once, each sender's messages in send order.
  for (const [key, list] of byKey) {
    if (list.length < 2) continue;
    findings.duplicates += list.length - 1;
    note(`server holds ${key} ${list.length} times (seqs ${list.map((m) => m.seq).join(", ")})`);
  }
  const lastBySender = new Map<string, { n: number; seq: number; key: string }>();
  for (const message of [...dialog.server].sort((a, b) => a.seq - b.seq)) {
    const parsed = parseKey(message.key);
    if (!parsed) continue;
    const previous = lastBySender.get(parsed.sender);
    if (previous && parsed.n < previous.n) {
      findings.senderOrderViolations++;
      note(`${message.key} (seq ${message.seq}) committed after ${previous.key} (seq ${previous.seq})`);
    }
    if (!previous || parsed.n > previous.n)
      lastBySender.set(parsed.sender, { n: parsed.n, seq: message.seq, key: message.key });
  }

  // What each sender was told.
  for (const sent of dialog.sent) {
    findings.sent++;
    const committed = byKey.get(sent.key) ?? [];
    if (sent.status === "failed") {
      const reason = reasonOf(sent.error);
      findings.failed++;
      findings.failedReasons[reason] = (findings.failedReasons[reason] ?? 0) + 1;
    }
    if (sent.expectRefusal) {
      if (committed.length > 0) {
        findings.phantoms++;
        note(`${sent.key} should have been refused but committed`);
      } else if (sent.status === "failed") findings.refusals++;
      else {
        findings.missedRefusals++;
        note(`${sent.key} was refused by the server but ${sent.client} shows it ${sent.status ?? "unknown"}`);
      }
      continue;
    }
    if (sent.status === "sent") {
      findings.acked++;
      if (committed.length === 0) {
        findings.ackedButMissing++;
        note(`${sent.key} acked to ${sent.client} (msg ${sent.msgId}) but not in the server's timeline`);
      }
    } else if (sent.status === "failed") {
      findings.falseFailures++;
      note(`${sent.key} failed on ${sent.client} without an actionable refusal: ${sent.error}`);
      if (committed.length > 0) {
        findings.failedButCommitted++;
        note(`${sent.key} shown failed on ${sent.client} but committed at seq ${committed[0]?.seq}`);
      }
    } else {
      findings.unsettled++;
      note(
        `${sent.key} still ${sent.status ?? "unknown"} on ${sent.client}${committed.length > 0 ? " (committed)" : ""}`,
      );
    }
  }

  // What each member's client shows.
  for (const view of dialog.views) {
    const counts = new Map<string, number>();
    for (const shown of view.shown) counts.set(shown.key, (counts.get(shown.key) ?? 0) + 1);
    for (const message of dialog.server) {
      const count = counts.get(message.key) ?? 0;
      if (count === 0) {
        findings.lost++;
        note(`${view.client} does not show ${message.key} (seq ${message.seq})`);
      } else if (count > 1 && (byKey.get(message.key)?.length ?? 0) < count) {
        findings.duplicates += count - 1;
        note(`${view.client} shows ${message.key} ${count} times`);
      }
    }
    for (const shown of view.shown) {
      if (shown.seq === null) continue;
      const truth = bySeq.get(shown.seq);
      if (!shown.id || !ids.has(shown.id)) {
        findings.phantoms++;
        note(`${view.client} shows ${shown.key} at seq ${shown.seq}, unknown to the server`);
      } else if (!truth || truth.id !== shown.id) {
        findings.orderViolations++;
        note(
          `${view.client} shows ${shown.key} at seq ${shown.seq}, the server has ${truth?.key ?? "nothing"} there`,
        );
      }
    }
  }
}

export function mergeFindings(into: Findings, from: Findings): Findings {
  for (const key of Object.keys(from) as (keyof Findings)[]) {
    if (key === "details") into.details.push(...from.details.slice(0, MAX_DETAILS - into.details.length));
    else if (key === "failedReasons") {
      for (const [reason, count] of Object.entries(from.failedReasons)) {
        into.failedReasons[reason] = (into.failedReasons[reason] ?? 0) + count;
      }
    } else into[key] += from[key];
  }
  return into;
}
