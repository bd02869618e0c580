import type { Findings } from "./check";
import { violationCount } from "./check";
import type { ChaosDialog, Population } from "./population";
import type { Rng } from "./prng";
import type { World } from "./world";

/**
 * Names under load: users rename themselves (`user.updateProfile`) and group owners rename their
 * groups (`dialog.updateInfo`) at seeded moments of the send phase, under the same faults. After
 * healing, every client's engine must hold the server's current name of every user it shares a
 * dialog with and the current title of every group it is in, at the same version (the check is
 * pure: check-profiles.ts).
 */
export type Rename =
  | { atMs: number; kind: "user"; userIndex: number }
  | { atMs: number; kind: "group"; dialog: ChaosDialog };

/** One rename that was sent, and how the API answered (a kill or a slow API may fail it). */
export type RenameOutcome = { what: string; ok: boolean; error?: string };

type Observer = Population["users"][number]["observer"];

/** Half the users rename themselves once or twice; every group is renamed twice by its owner. */
export function planRenames(population: Population, loadMs: number, rng: Rng): Rename[] {
  const renames: Rename[] = [];
  for (const user of population.users) {
    if (!rng.chance(0.5)) continue;
    for (let i = rng.int(1, 2); i > 0; i--) {
      renames.push({ atMs: rng.int(0, loadMs), kind: "user", userIndex: user.index });
    }
  }
  for (const dialog of population.dialogs) {
    if (dialog.kind === "direct") continue;
    for (let i = 0; i < 2; i++) renames.push({ atMs: rng.int(0, loadMs), kind: "group", dialog });
  }
  return renames.sort((a, b) => a.atMs - b.atMs);
}

/** Sends one rename through the renamer's first client (a group's owner is its first member). */
export async function sendRename(population: Population, rename: Rename, n: number): Promise<RenameOutcome> {
  const userIndex = rename.kind === "user" ? rename.userIndex : (rename.dialog.members[0] ?? 0);
  const client = population.users[userIndex]?.clients[0];
  const what = rename.kind === "user" ? `u${userIndex} rename` : `group ${rename.dialog.id} rename`;
  if (!client) return { what, ok: false, error: "no client" };
  try {
    if (rename.kind === "user") {
      await client.raw.client.mutation("user.updateProfile", { displayName: `Chaos u${userIndex} n${n}` });
    } else {
      await client.raw.client.mutation("dialog.updateInfo", {
        dialogId: rename.dialog.id,
        title: `Chaos group t${n}`,
      });
    }
    return { what, ok: true };
  } catch (error) {
    return { what, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export type NameView = { key: string; name: string; version: number };

/** The server's current names: every user (read as user 0, who shares the big group with all) and every group. */
export async function serverNames(
  population: Population,
  retry: <T>(read: () => Promise<T>) => Promise<T>,
): Promise<Map<string, NameView>> {
  const names = new Map<string, NameView>();
  const first = population.users[0]?.observer;
  if (!first?.profiles) throw new Error("no observer that reads profiles");
  const read = first.profiles;
  const ids = population.users.map((u) => u.userId);
  for (const profile of await retry(() => read({ ids }))) {
    const key = `user ${profile.id}`;
    names.set(key, { key, name: profile.displayName, version: profile.version });
  }
  for (const dialog of population.dialogs) {
    if (dialog.kind === "direct") continue;
    const observer = population.users[dialog.members[0] ?? 0]?.observer as Observer;
    const view = (await retry(() => observer.client.query("dialog.get", { dialogId: dialog.id }))) as {
      title: string | null;
      profileVersion: number;
    };
    const key = `group ${dialog.id}`;
    names.set(key, { key, name: view.title ?? "", version: view.profileVersion });
  }
  return names;
}

/**
 * What a client's app would know before any push: the names its dialogs show (the web reads them
 * with dialog.list and user.byIds and notes them in the engine). Noted in every client's engine.
 */
export function noteKnownNames(population: Population, names: Map<string, NameView>): void {
  for (const client of population.clients) {
    for (const key of namesKnownBy(population, client.userIndex)) {
      const name = names.get(key);
      if (!name) continue;
      const id = key.split(" ")[1] ?? "";
      if (key.startsWith("user ")) {
        client.engine.noteProfile({
          userId: id,
          displayName: name.name,
          avatarUrl: null,
          version: name.version,
        });
      } else {
        client.engine.noteGroupInfo({
          dialogId: id,
          title: name.name,
          avatarUrl: null,
          version: name.version,
          byUserId: client.userId,
        });
      }
    }
  }
}

/** The users a member shares a dialog with (itself included) and the groups it is in. */
export function namesKnownBy(population: Population, userIndex: number): string[] {
  const keys = new Set<string>();
  for (const dialog of population.dialogs) {
    if (!dialog.members.includes(userIndex)) continue;
    if (dialog.kind !== "direct") keys.add(`group ${dialog.id}`);
    for (const member of dialog.members) keys.add(`user ${population.users[member]?.userId}`);
  }
  return [...keys];
}

/** What each client's engine holds of the names it knows, for check-profiles.ts. */
export function clientNames(population: Population): { client: string; held: NameView[] }[] {
  return population.clients.map((client) => ({
    client: client.label,
    held: namesKnownBy(population, client.userIndex).map((key) => {
      const id = key.split(" ")[1] ?? "";
      if (key.startsWith("user ")) {
        const held = client.engine.profile(id);
        return { key, name: held?.displayName ?? "", version: held?.version ?? -1 };
      }
      const held = client.engine.groupInfo(id);
      return { key, name: held?.title ?? "", version: held?.version ?? -1 };
    }),
  }));
}

/**
 * The bound for users' names: a rename whose push was never published (its API was killed between
 * the write and the publish) reaches a live client at its next reconnect, when the engine reads its
 * held profiles again. True when only users' names are still wrong: then every socket is cut once,
 * and the judge must then find them converged.
 */
export function reconnectForNames(world: World, findings: Findings): boolean {
  if (findings.userNameMismatches === 0 || violationCount(findings) !== findings.userNameMismatches) {
    return false;
  }
  for (const gateway of world.gateways) {
    for (const connection of gateway.proxy.connections()) gateway.proxy.cut(connection.id);
  }
  return true;
}
