/**
 * Lookups by id and group invitations cannot be used to scrape users or to flood other people's
 * inboxes: user.byIds reads users in one batched statement, answers freely only about people the
 * caller shares a dialog with and charges everyone else to the same budget as user.byHandle; group
 * creation and member adds have per-user budgets; errors never list which of many ids exist.
 * Budgets are tiny with windows of an hour (keys name fresh ids), so nothing depends on timing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAuthService } from "@parley/auth";
import type { MessagingOptions } from "@parley/core";
import { createDb, type DbHandle } from "@parley/db";
import { TEST_REDIS_URL } from "@parley/testkit";
import { TRPCError } from "@trpc/server";
import Redis from "ioredis";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";
import { failure, type SecurityHarness, securityFixture } from "./security-harness";

const HOUR_MS = 60 * 60 * 1000;
const LIMITS = {
  lookupRateLimit: { perClientMax: 5, perUserMax: 8, windowMs: HOUR_MS },
  profileRateLimit: { max: 6, windowMs: HOUR_MS },
  groupCreateRateLimit: { max: 3, windowMs: HOUR_MS },
  memberAddRateLimit: { max: 6, windowMs: HOUR_MS },
} satisfies MessagingOptions;

const createCaller = createCallerFactory(appRouter);

type User = Awaited<ReturnType<SecurityHarness["user"]>>;

let counted: DbHandle;
let redis: Redis;
let services: ApiServices;
/** Every statement the instance under test sends, in order (repeats included). */
const statements: string[] = [];

const h = await securityFixture("seclookups");

beforeAll(async () => {
  // An API instance of its own whose pool logs every statement, with the small budgets above.
  counted = createDb(h.testDb.url, { logger: { logQuery: (query) => void statements.push(query) } });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const deps = { db: counted.db, redis, events: h.services.events, ids: h.services.ids };
  services = assembleApiServices(deps, createAuthService(h.config, deps), {
    messaging: { ...h.services.messaging, ...LIMITS },
  });
});
afterAll(async () => {
  redis?.disconnect();
  await counted?.close();
});

const run = Math.random().toString(36).slice(2, 7);
let handles = 0;
const newUser = (label: string) => h.user(`${label}-${run}-${handles++}`);

/** The user's caller on the instance under test. */
async function on(user: User) {
  const ctx = await createContext(
    services,
    { headers: new Headers(user.bearer), ip: "127.0.0.1" },
    new Headers(),
  );
  return createCaller(ctx);
}

async function refusal(attempt: () => Promise<unknown>) {
  const error = await failure(attempt);
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe("TOO_MANY_REQUESTS");
  return (error as TRPCError).message;
}

const usersReads = () => statements.filter((sql) => /from `users`/i.test(sql));

/** Ids that look real (snowflake-sized) but name nobody. */
const ghosts = (count: number) =>
  Array.from({ length: count }, (_, index) => (7_000_000_000_000_000_000n + BigInt(index * 7919)).toString());

describe("user.byIds", () => {
  test("reads every requested user in one IN statement, not one query per id", async () => {
    const [me, ...others] = await Promise.all([1, 2, 3, 4, 5].map(() => newUser("batch")));
    if (!me) throw new Error("no user");
    await me.call.dialog.createGroup({ title: "batch", memberIds: others.map((other) => other.userId) });
    const call = await on(me);
    statements.length = 0;
    const profiles = await call.user.byIds({ ids: others.map((other) => other.userId) });
    expect(profiles.map((profile) => profile.id).sort()).toEqual(others.map((other) => other.userId).sort());
    expect(usersReads()).toHaveLength(1);
  });

  test("people who share a dialog are free; strangers and unknown ids spend the lookup budget", async () => {
    const [me, friend, ...strangers] = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => newUser("scan")));
    if (!me || !friend) throw new Error("no user");
    await me.call.dialog.openDirect({ userId: friend.userId });
    const call = await on(me);
    // A scan of 100 ids is refused before any user is read.
    statements.length = 0;
    const message = await refusal(() => call.user.byIds({ ids: ghosts(100) }));
    expect(message).toContain("share no dialog");
    expect(usersReads()).toHaveLength(0);
    // The shared friend is answered however often it is asked for.
    for (let index = 0; index < 3; index++) {
      expect((await call.user.byIds({ ids: [friend.userId] })).map((profile) => profile.id)).toEqual([
        friend.userId,
      ]);
    }
    // The 100 refused hits already spent this client's budget: strangers are refused, byHandle too.
    await refusal(() => call.user.byIds({ ids: [strangers[0]?.userId ?? ""] }));
    await refusal(() => call.user.byHandle({ handle: friend.userId }));
  });

  test("a stranger's profile costs one lookup each, and the budget runs out like byHandle's", async () => {
    const [me, ...strangers] = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => newUser("strange")));
    if (!me) throw new Error("no user");
    const call = await on(me);
    const firstFive = strangers.slice(0, 5).map((stranger) => stranger.userId);
    expect(await call.user.byIds({ ids: firstFive })).toHaveLength(5);
    await refusal(() => call.user.byIds({ ids: [strangers[5]?.userId ?? ""] }));
  });

  test("calls are budgeted per client whatever they ask for", async () => {
    const [me, friend] = await Promise.all([newUser("calls"), newUser("calls")]);
    if (!me || !friend) throw new Error("no user");
    await me.call.dialog.openDirect({ userId: friend.userId });
    const call = await on(me);
    for (let index = 0; index < LIMITS.profileRateLimit.max; index++) {
      await call.user.byIds({ ids: [friend.userId] });
    }
    expect(await refusal(() => call.user.byIds({ ids: [friend.userId] }))).toContain("profile");
  });
});

describe("groups and member adds", () => {
  test("unknown ids are NOT_FOUND without saying which of them exist", async () => {
    const [me, real] = await Promise.all([newUser("exist"), newUser("exist")]);
    if (!me || !real) throw new Error("no user");
    const call = await on(me);
    const asked = [real.userId, ...ghosts(2)]; // twice: exactly the member-add budget
    const created = await failure(() => call.dialog.createGroup({ title: "probe", memberIds: asked }));
    expect(created).toMatchObject({ code: "NOT_FOUND" });
    const group = await me.call.dialog.createGroup({ title: "mine", memberIds: [] });
    const added = await failure(() => call.dialog.addMembers({ dialogId: group.id, userIds: asked }));
    expect(added).toMatchObject({ code: "NOT_FOUND" });
    for (const error of [created, added]) {
      const text = JSON.stringify({ message: (error as Error).message, cause: (error as TRPCError).cause });
      for (const id of asked) expect(text).not.toContain(id);
    }
  });

  test("group creation is budgeted per user with a clear refusal", async () => {
    const me = await newUser("groups");
    const call = await on(me);
    for (let index = 0; index < LIMITS.groupCreateRateLimit.max; index++) {
      await call.dialog.createGroup({ title: `g${index}`, memberIds: [] });
    }
    expect(await refusal(() => call.dialog.createGroup({ title: "one too many", memberIds: [] }))).toBe(
      "too many groups created; try again later",
    );
  });

  test("members added (createGroup, addMembers, openDirect) are budgeted per user, counted per id", async () => {
    const [me, ...others] = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => newUser("adds")));
    if (!me) throw new Error("no user");
    const ids = others.map((other) => other.userId);
    const call = await on(me);
    const group = await call.dialog.createGroup({ title: "adds", memberIds: ids.slice(0, 2) }); // 2
    await call.dialog.addMembers({ dialogId: group.id, userIds: ids.slice(2, 5) }); // 5
    await call.dialog.openDirect({ userId: ids[5] ?? "" }); // 6
    const message = await refusal(() =>
      call.dialog.addMembers({ dialogId: group.id, userIds: [ids[6] ?? ""] }),
    );
    expect(message).toBe("too many members added; try again later");
    // Refused means nothing happened: the 7th user is not in the group.
    const members = await me.call.dialog.members({ dialogId: group.id });
    expect(JSON.stringify(members)).not.toContain(ids[6] ?? "none");
  });
});
