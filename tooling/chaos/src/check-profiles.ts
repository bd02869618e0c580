import type { NameView, RenameOutcome } from "./profile-load";

/**
 * The names invariant, judged after healing: every client's engine holds, for every user it shares a
 * dialog with and every group it is in, the server's current name or title at the same version
 * (profile and groupInfo events travel at most once; the engine must recover what it missed). A
 * rename the API failed (killed, slowed) is not a violation: the server's state is the truth.
 * Users' names are counted apart: a rename whose push was never published (its API died after the
 * write) reaches a client with a live socket only at its next reconnect (the documented bound).
 */
export type ProfileFindings = {
  renames: number;
  renamesFailed: number;
  /** (client, user or group) pairs whose held name or version differs from the server's. */
  nameMismatches: number;
  /** Of those, users' names (not group titles). */
  userNameMismatches: number;
  details: string[];
};

export function checkProfiles(
  server: ReadonlyMap<string, NameView>,
  views: readonly { client: string; held: readonly NameView[] }[],
  renames: readonly RenameOutcome[],
  maxDetails = 40,
): ProfileFindings {
  const findings: ProfileFindings = {
    renames: renames.length,
    renamesFailed: renames.filter((r) => !r.ok).length,
    nameMismatches: 0,
    userNameMismatches: 0,
    details: [],
  };
  for (const view of views) {
    for (const held of view.held) {
      const truth = server.get(held.key);
      if (!truth || (truth.name === held.name && truth.version === held.version)) continue;
      findings.nameMismatches++;
      if (held.key.startsWith("user ")) findings.userNameMismatches++;
      if (findings.details.length < maxDetails) {
        findings.details.push(
          `${view.client} holds ${held.key} as ${JSON.stringify(held.name)} v${held.version} (server ${JSON.stringify(truth.name)} v${truth.version})`,
        );
      }
    }
  }
  return findings;
}
