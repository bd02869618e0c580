/**
 * Every procedure in appRouter, checked against an unauthenticated caller, a signed-out (revoked)
 * client and a signed-in stranger who belongs to none of the target dialogs. The table must name
 * every procedure: one added later without an entry (and so without a decision about who may call
 * it) fails here.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { appRouter } from "../root";
import { failure, type SecurityCaller, type SecurityHarness, securityFixture } from "./security-harness";

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let alice: User;
let bob: User;
let mallory: User;
let directId: string;
let groupId: string;
/** An id no dialog has: must look exactly like a dialog one cannot see. */
const UNKNOWN_DIALOG = "1234567890123";

const h = await securityFixture("secauthz");

beforeAll(async () => {
  [alice, bob, mallory] = await Promise.all([h.user("alice"), h.user("bob"), h.user("mallory")]);
  directId = (await alice.call.dialog.openDirect({ userId: bob.userId })).id;
  groupId = (await alice.call.dialog.createGroup({ title: "secret plans", memberIds: [bob.userId] })).id;
  for (const dialogId of [directId, groupId]) {
    await alice.call.message.send({
      dialogId,
      clientMsgId: `m-${dialogId}`,
      clientSeq: 1,
      content: { kind: "text", text: "for members only" },
    });
  }
});

type Fixture = { dialogId: string };

/**
 * Who may call a procedure:
 * - `public`: no sign-in (creating an account, signing in, refreshing with the refresh token itself);
 * - `user`: any signed-in client, acting only on its own user (the `stranger` check proves it);
 * - `member`: a member of the dialog named in the input; anyone else gets NOT_FOUND.
 */
type Entry =
  | { access: "public"; input: () => unknown }
  | { access: "user"; input: () => unknown; stranger: (call: SecurityCaller) => Promise<void> }
  | { access: "member"; input: (fixture: Fixture) => unknown };

const text = (value: string) => ({ kind: "text" as const, text: value });

const TABLE: Record<string, Entry> = {
  "auth.signUp": {
    access: "public",
    input: () => ({ handle: "nobody-new", displayName: "x", password: "short", mode: "token" }),
  },
  "auth.signIn": {
    access: "public",
    input: () => ({ handle: "alice", password: "wrong password!!", mode: "token" }),
  },
  "auth.refresh": { access: "public", input: () => ({ refreshToken: "1.not-a-token" }) },
  "auth.signOut": {
    access: "user",
    input: () => undefined,
    stranger: async () => {
      // Signing out is about one's own client: a throwaway client of mallory's signs out, alice stays.
      const throwaway = await signInAgain("mallory");
      await throwaway.auth.signOut();
      await expect(throwaway.user.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect((await alice.call.user.me()).id).toBe(alice.userId);
    },
  },
  "auth.openTab": {
    access: "user",
    input: () => undefined,
    // Only a browser's session cookie opens tab clients; a bearer client (mallory's) cannot mint them.
    stranger: async (call) => expect(call.auth.openTab()).rejects.toMatchObject({ code: "FORBIDDEN" }),
  },
  "auth.realtimeToken": {
    access: "user",
    input: () => undefined,
    stranger: async (call) => {
      const { token } = await call.auth.realtimeToken();
      const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
      expect(payload).toMatchObject({ sub: mallory.userId, cid: mallory.clientId });
    },
  },
  "user.me": {
    access: "user",
    input: () => undefined,
    stranger: async (call) => expect((await call.user.me()).id).toBe(mallory.userId),
  },
  "user.clients": {
    access: "user",
    input: () => undefined,
    stranger: async (call) => {
      const ids = (await call.user.clients()).map((client) => client.id);
      expect(ids).toContain(mallory.clientId);
      expect(ids).not.toContain(alice.clientId);
    },
  },
  "user.revokeClient": {
    access: "user",
    input: () => ({ clientId: alice.clientId }),
    stranger: async (call) => {
      await expect(call.user.revokeClient({ clientId: alice.clientId })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      expect((await alice.call.user.me()).id).toBe(alice.userId);
    },
  },
  "user.byHandle": {
    access: "user",
    input: () => ({ handle: "alice" }),
    // Public profile fields by design (starting a chat needs them); nothing else.
    stranger: async (call) =>
      expect(Object.keys(await call.user.byHandle({ handle: "alice" })).sort()).toEqual([
        "displayName",
        "handle",
        "id",
      ]),
  },
  "user.byIds": {
    access: "user",
    input: () => ({ ids: [alice.userId] }),
    stranger: async (call) => {
      const [profile] = await call.user.byIds({ ids: [alice.userId] });
      expect(Object.keys(profile ?? {}).sort()).toEqual([
        "avatarUrl",
        "displayName",
        "handle",
        "id",
        "version",
      ]);
    },
  },
  "user.updateProfile": {
    access: "user",
    input: () => ({ displayName: "Renamed" }),
    // One's own profile only: there is no user id in the input to aim at someone else.
    stranger: async (call) => {
      expect((await call.user.updateProfile({ displayName: "Mallory M" })).id).toBe(mallory.userId);
      expect((await call.user.byIds({ ids: [alice.userId] }))[0]?.displayName).not.toBe("Mallory M");
    },
  },
  "presence.lastSeen": {
    access: "user",
    input: () => ({ userIds: [alice.userId] }),
    // Like tickets: only people who share a dialog with the caller are answered.
    stranger: async (call) => {
      const loner = await h.user("loner-seen");
      expect(await call.presence.lastSeen({ userIds: [loner.userId] })).toEqual([]);
    },
  },
  "presence.ticket": {
    access: "user",
    input: () => ({ userIds: [alice.userId] }),
    // A stranger's ticket names nobody: presence is for people who share a dialog. (Someone fresh:
    // by now mallory may share a direct dialog with alice, opened by another entry.)
    stranger: async (call) => {
      const loner = await h.user("loner");
      expect((await call.presence.ticket({ userIds: [loner.userId] })).userIds).toEqual([]);
    },
  },
  "dialog.openDirect": {
    access: "user",
    input: () => ({ userId: bob.userId }),
    // No friend lists: anyone may open a direct dialog with anyone, but it is their own pair's.
    stranger: async (call) => {
      const opened = await call.dialog.openDirect({ userId: alice.userId });
      expect(opened.id).not.toBe(directId);
    },
  },
  "dialog.createGroup": {
    access: "user",
    input: () => ({ title: "t", memberIds: [] }),
    stranger: async (call) => {
      const created = await call.dialog.createGroup({ title: "mine", memberIds: [] });
      expect(created.role).toBe("owner");
      expect(created.id).not.toBe(groupId);
    },
  },
  "dialog.list": {
    access: "user",
    input: () => ({ limit: 200 }),
    stranger: async (call) => {
      const ids = (await call.dialog.list({ limit: 200 })).items.map((item) => item.id);
      expect(ids).not.toContain(directId);
      expect(ids).not.toContain(groupId);
    },
  },
  "dialog.changes": {
    access: "user",
    input: () => undefined,
    stranger: async (call) => {
      const ids = (await call.dialog.changes()).dialogs.map((change) => change.dialogId);
      expect(ids).not.toContain(directId);
      expect(ids).not.toContain(groupId);
    },
  },
  "dialog.get": { access: "member", input: ({ dialogId }) => ({ dialogId }) },
  "dialog.members": { access: "member", input: ({ dialogId }) => ({ dialogId }) },
  "dialog.sync": { access: "member", input: ({ dialogId }) => ({ dialogId, afterSeq: 0, limit: 10 }) },
  "dialog.history": { access: "member", input: ({ dialogId }) => ({ dialogId, limit: 10 }) },
  "dialog.markRead": { access: "member", input: ({ dialogId }) => ({ dialogId, seq: 1 }) },
  "dialog.markDelivered": { access: "member", input: ({ dialogId }) => ({ dialogId, seq: 1 }) },
  "dialog.typing": { access: "member", input: ({ dialogId }) => ({ dialogId }) },
  "dialog.setMuted": { access: "member", input: ({ dialogId }) => ({ dialogId, muted: true }) },
  "dialog.updateInfo": { access: "member", input: ({ dialogId }) => ({ dialogId, title: "Taken over" }) },
  "dialog.leave": { access: "member", input: ({ dialogId }) => ({ dialogId }) },
  "dialog.addMembers": {
    access: "member",
    input: ({ dialogId }) => ({ dialogId, userIds: [mallory.userId] }),
  },
  "dialog.removeMember": {
    access: "member",
    input: ({ dialogId }) => ({ dialogId, userId: bob.userId }),
  },
  "search.people": {
    access: "user",
    input: () => ({ query: "alice" }),
    // Public profile fields only, like user.byHandle.
    stranger: async (call) => {
      for (const hit of await call.search.people({ query: "alice" }))
        expect(Object.keys(hit).sort()).toEqual(["displayName", "handle", "id", "isContact"]);
    },
  },
  "search.messages": {
    access: "member",
    input: ({ dialogId }) => ({ query: "members", dialogId }),
  },
  "message.send": {
    access: "member",
    input: ({ dialogId }) => ({ dialogId, clientMsgId: "intruder-1", clientSeq: 1, content: text("hi") }),
  },
};

/** Every procedure path in the mounted router, e.g. "dialog.get". */
function procedurePaths(): string[] {
  return Object.keys(
    (appRouter._def as unknown as { procedures: Record<string, unknown> }).procedures,
  ).sort();
}

function invoke(call: SecurityCaller, path: string, input: unknown): Promise<unknown> {
  const [namespace = "", name = ""] = path.split(".");
  const group = (call as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[
    namespace
  ];
  const procedure = group?.[name];
  if (!procedure) throw new Error(`no procedure ${path}`);
  return procedure(input);
}

async function signInAgain(handle: string): Promise<SecurityCaller> {
  const anonymous = await h.caller();
  const signedIn = await anonymous.auth.signIn({
    handle,
    password: "correct horse battery staple",
    mode: "token",
  });
  if (signedIn.mode !== "token") throw new Error("expected token mode");
  return h.caller({ authorization: `Bearer ${signedIn.accessToken}` });
}

type Row = Record<string, unknown>;
/** Every row that belongs to the target dialogs (each statement pins the dialog key). */
async function snapshot(): Promise<string> {
  const tables = ["dialogs", "dialog_members", "messages", "dialog_messages", "dialog_client_seqs"];
  const parts: Row[][] = [];
  for (const table of tables) {
    const key = table === "dialogs" ? "id" : "dialog_id";
    const [rows] = (await h.testDb.db.execute(
      sql`SELECT * FROM ${sql.raw(table)} WHERE ${sql.raw(key)} IN (${directId}, ${groupId})`,
    )) as unknown as [Row[]];
    parts.push(rows);
  }
  return JSON.stringify(parts);
}

describe("authorization of every procedure", () => {
  test("searching across one's own dialogs never finds another's messages", async () => {
    const found = await mallory.call.search.messages({ query: "members" });
    expect(found.messages.map((message) => message.dialogId)).not.toContain(directId);
    expect(found.messages.map((message) => message.dialogId)).not.toContain(groupId);
  });

  test("the table names every procedure in appRouter (add an entry when you add a procedure)", () => {
    const paths = procedurePaths();
    expect(paths.length).toBeGreaterThan(20);
    expect(paths).toEqual(Object.keys(TABLE).sort());
  });

  test("an unauthenticated caller gets UNAUTHORIZED from everything but the public procedures", async () => {
    const anonymous = await h.caller();
    const before = await snapshot();
    for (const path of procedurePaths()) {
      const entry = TABLE[path];
      if (!entry || entry.access === "public") continue;
      const input = entry.access === "member" ? entry.input({ dialogId: groupId }) : entry.input();
      const error = await failure(() => invoke(anonymous, path, input));
      expect({ path, error }).toMatchObject({ path, error: { code: "UNAUTHORIZED" } });
    }
    expect(await snapshot()).toBe(before);
  });

  test("the public procedures refuse bad credentials without signing anyone in", async () => {
    const anonymous = await h.caller();
    for (const path of procedurePaths()) {
      const entry = TABLE[path];
      if (entry?.access !== "public") continue;
      const error = await failure(() => invoke(anonymous, path, entry.input()));
      expect({ path, error }).toMatchObject({
        path,
        error: { code: expect.stringMatching(/^(BAD_REQUEST|UNAUTHORIZED)$/) },
      });
    }
  });

  test("a stranger gets NOT_FOUND from every dialog procedure, and nothing changes", async () => {
    const before = await snapshot();
    for (const dialogId of [directId, groupId, UNKNOWN_DIALOG]) {
      for (const path of procedurePaths()) {
        const entry = TABLE[path];
        if (entry?.access !== "member") continue;
        const error = await failure(() => invoke(mallory.call, path, entry.input({ dialogId })));
        expect({ path, dialogId, error }).toMatchObject({ path, dialogId, error: { code: "NOT_FOUND" } });
        // The same message whether the dialog exists or not: nothing to learn from the answer.
        expect((error as Error).message).not.toMatch(/member|forbidden|admin/i);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  test("a member can call every dialog procedure (the table's inputs are valid)", async () => {
    // Proves the NOT_FOUNDs above are about membership, not about bad inputs. Read-only ones only.
    for (const path of ["dialog.get", "dialog.members", "dialog.sync", "dialog.history", "dialog.typing"]) {
      const entry = TABLE[path];
      if (entry?.access !== "member") throw new Error(path);
      await invoke(bob.call, path, entry.input({ dialogId: groupId }));
    }
  });

  test("user-scoped procedures act only on the caller's own user", async () => {
    for (const path of procedurePaths()) {
      const entry = TABLE[path];
      if (entry?.access !== "user") continue;
      await entry.stranger(mallory.call).catch((error: unknown) => {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  });

  test("a signed-out client gets UNAUTHORIZED from everything but the public procedures", async () => {
    const revoked = await signInAgain("mallory");
    await revoked.auth.signOut();
    for (const path of procedurePaths()) {
      const entry = TABLE[path];
      if (!entry || entry.access === "public") continue;
      const input = entry.access === "member" ? entry.input({ dialogId: groupId }) : entry.input();
      const error = await failure(() => invoke(revoked, path, input));
      expect({ path, error }).toMatchObject({ path, error: { code: "UNAUTHORIZED" } });
    }
  });

  test("no statement scattered across shards", () => {
    // drop() in afterAll enforces it too; checking here names the failure in the report.
    expect(h.testDb.statements.size).toBeGreaterThan(5);
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
