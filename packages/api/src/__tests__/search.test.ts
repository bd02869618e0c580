/**
 * Finding people and messages, against the real MariaDB (FULLTEXT included), Redis and NATS, with
 * users signed up through the real UAA (so the people-search index is written as in production).
 * Checks who can find what (members only, nothing from before one joined), the no-enumeration rule
 * for people (three characters, ten results, no paging) and the budgets. The harness's database
 * fails drop() if any statement would scatter on Vitess.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAuthService } from "@parley/auth";
import type { MessagingOptions } from "@parley/core";
import { TEST_REDIS_URL } from "@parley/testkit";
import { TRPCError } from "@trpc/server";
import Redis from "ioredis";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";
import { failure, type SecurityHarness, securityFixture } from "./security-harness";

const HOUR_MS = 60 * 60 * 1000;
const createCaller = createCallerFactory(appRouter);

type User = Awaited<ReturnType<SecurityHarness["user"]>>;
type Call = Awaited<ReturnType<typeof on>>;

let redis: Redis;
let services: ApiServices;
let tight: ApiServices;

const h = await securityFixture("search");

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const deps = { db: h.services.db, redis, events: h.services.events, ids: h.services.ids };
  const roomy: MessagingOptions = {
    ...h.services.messaging,
    peopleSearchRateLimit: { max: 1_000, windowMs: HOUR_MS },
    messageSearchRateLimit: { max: 1_000, windowMs: HOUR_MS },
  };
  services = assembleApiServices(deps, createAuthService(h.config, deps), { messaging: roomy });
  // Another API instance whose search budgets are tiny (keys name fresh user ids: no timing).
  tight = assembleApiServices(deps, createAuthService(h.config, deps), {
    messaging: {
      ...roomy,
      peopleSearchRateLimit: { max: 3, windowMs: HOUR_MS },
      messageSearchRateLimit: { max: 2, windowMs: HOUR_MS },
    },
  });
});
afterAll(async () => {
  redis?.disconnect();
});

const run = Math.random().toString(36).slice(2, 7);
let made = 0;
const newUser = (label: string) => h.user(`${label}${run}${made++}`);

async function on(user: User, target: ApiServices = services) {
  const ctx = await createContext(
    target,
    { headers: new Headers(user.bearer), ip: "127.0.0.1" },
    new Headers(),
  );
  return createCaller(ctx);
}

let clientSeq = 0;
async function send(call: Call, dialogId: string, text: string) {
  clientSeq++;
  return call.message.send({
    dialogId,
    clientMsgId: `search-${run}-${clientSeq}`,
    clientSeq: await nextSeq(call, dialogId),
    content: { kind: "text", text },
  });
}
/** clientSeq is per (dialog, client): count what this caller sent into the dialog. */
const sentPerDialog = new Map<string, number>();
async function nextSeq(call: Call, dialogId: string) {
  const me = await call.user.me();
  const key = `${me.clientId}:${dialogId}`;
  const next = (sentPerDialog.get(key) ?? 0) + 1;
  sentPerDialog.set(key, next);
  return next;
}

async function code(attempt: () => Promise<unknown>) {
  const error = await failure(attempt);
  expect(error).toBeInstanceOf(TRPCError);
  return { code: (error as TRPCError).code, cause: (error as TRPCError).cause as { details?: unknown } };
}

const texts = (page: { messages: { content: { kind: string } }[] }) =>
  page.messages.map((message) => ("text" in message.content ? String(message.content.text) : ""));

describe("search.people", () => {
  test("finds by handle prefix and by a word of the display name, never the caller", async () => {
    const me = await newUser("pp");
    const ann = await newUser("annika");
    const call = await on(me);
    const byHandle = await call.search.people({ query: `annika${run}` });
    expect(byHandle.map((person) => person.id)).toEqual([ann.userId]);
    // Display names are "User <handle>": the second word is the handle again, the first is "user".
    const byName = await call.search.people({ query: `USER ANNIKA${run}` });
    expect(byName.map((person) => person.id)).toEqual([ann.userId]);
    expect(await call.search.people({ query: `pp${run}` })).not.toContainEqual(
      expect.objectContaining({ id: me.userId }),
    );
  });

  test("under three letters is refused with a reason; the answer never has more than ten, and no cursor", async () => {
    const me = await newUser("many");
    const call = await on(me);
    const refused = await code(() => call.search.people({ query: "ab" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.cause?.details).toEqual({ reason: "search_query_too_short" });
    const crowd = `crowd${run}`;
    for (let index = 0; index < 12; index++) await h.user(`${crowd}${index}`);
    const found = await call.search.people({ query: crowd });
    expect(found).toHaveLength(10);
    expect(Object.keys(found[0] ?? {}).sort()).toEqual(["displayName", "handle", "id", "isContact"]);
  });

  test("people one shares a dialog with come first and say so", async () => {
    const me = await newUser("rank");
    const stranger = await h.user(`mates${run}a`);
    const friend = await h.user(`mates${run}b`);
    const call = await on(me);
    await call.dialog.openDirect({ userId: friend.userId });
    const found = await call.search.people({ query: `mates${run}` });
    expect(found.map((person) => [person.id, person.isContact])).toEqual([
      [friend.userId, true],
      [stranger.userId, false],
    ]);
  });

  test("after a rename the new name finds the person and the old one no longer does", async () => {
    const me = await newUser("seek");
    const renamed = await newUser("rn");
    const call = await on(me);
    await (await on(renamed)).user.updateProfile({ displayName: `Zephyrine Quill${run}` });
    const byNew = await call.search.people({ query: `zephyrine quill${run}` });
    expect(byNew.map((person) => [person.id, person.displayName])).toEqual([
      [renamed.userId, `Zephyrine Quill${run}`],
    ]);
    expect(await call.search.people({ query: `user rn${run}` })).toEqual([]);
  });

  test("budgeted per user, refusals before any read", async () => {
    const me = await newUser("pbudget");
    const call = await on(me, tight);
    for (let index = 0; index < 3; index++) await call.search.people({ query: `nobody${run}${index}` });
    const refused = await code(() => call.search.people({ query: `nobody${run}x` }));
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
  });
});

describe("search.messages", () => {
  let alice: User;
  let bob: User;
  let carol: User;
  let direct: string;

  beforeAll(async () => {
    [alice, bob, carol] = await Promise.all([newUser("alice"), newUser("bob"), newUser("carol")]);
    const call = await on(alice);
    direct = (await call.dialog.openDirect({ userId: bob.userId })).id;
    await send(call, direct, "The quarterly budget is ready");
    await send(call, direct, "lunch at noon?");
    await send(call, direct, "Budget approved!");
  });

  test("a member finds matches in one dialog and across its dialogs, newest first", async () => {
    const call = await on(bob);
    const inDialog = await call.search.messages({ query: "budg", dialogId: direct });
    expect(texts(inDialog)).toEqual(["Budget approved!", "The quarterly budget is ready"]);
    const everywhere = await call.search.messages({ query: "quarterly BUDGET" });
    expect(texts(everywhere)).toEqual(["The quarterly budget is ready"]);
    expect(everywhere.dialogsSearched).toBeGreaterThanOrEqual(1);
  });

  test("a non-member never finds another dialog's messages, and cannot name the dialog", async () => {
    const call = await on(carol);
    expect((await call.search.messages({ query: "budget" })).messages).toEqual([]);
    expect((await code(() => call.search.messages({ query: "budget", dialogId: direct }))).code).toBe(
      "NOT_FOUND",
    );
  });

  test("a member added later finds nothing from before it joined", async () => {
    const aliceCall = await on(alice);
    const group = await aliceCall.dialog.createGroup({ title: "Zoo", memberIds: [bob.userId] });
    await send(aliceCall, group.id, "zebra crossing before");
    await aliceCall.dialog.addMembers({ dialogId: group.id, userIds: [carol.userId] });
    await send(aliceCall, group.id, "zebra crossing after");
    const carolCall = await on(carol);
    expect(texts(await carolCall.search.messages({ query: "zebra", dialogId: group.id }))).toEqual([
      "zebra crossing after",
    ]);
    expect(texts(await (await on(bob)).search.messages({ query: "zebra", dialogId: group.id }))).toEqual([
      "zebra crossing after",
      "zebra crossing before",
    ]);
  });

  test("pages with nextCursor", async () => {
    const call = await on(bob);
    const first = await call.search.messages({ query: "budget", dialogId: direct, limit: 1 });
    expect(texts(first)).toEqual(["Budget approved!"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await call.search.messages({
      query: "budget",
      dialogId: direct,
      limit: 1,
      beforeMsgId: first.nextCursor,
    });
    expect(texts(second)).toEqual(["The quarterly budget is ready"]);
    expect(second.nextCursor).toBeNull();
  });

  test("a query without a word of three letters is refused with a reason", async () => {
    const refused = await code(async () => (await on(bob)).search.messages({ query: "a b ?" }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.cause?.details).toEqual({ reason: "search_query_too_short" });
  });

  test("budgeted per user (a fresh user: budgets are shared by every API instance through Redis)", async () => {
    const call = await on(await newUser("mbudget"), tight);
    await call.search.messages({ query: "budget" });
    await call.search.messages({ query: "lunch" });
    expect((await code(() => call.search.messages({ query: "noon" }))).code).toBe("TOO_MANY_REQUESTS");
  });
});
