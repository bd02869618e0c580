/**
 * dialog.changes pages through every dialog of a user (no cap hides new conversations from
 * catch-up), and the inbox reads a user's newest dialogs when it has to cap.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { ApiServices } from "../context";
import {
  type Caller,
  firstClient,
  messagingFixture,
  TEST_MESSAGING,
  type TestUser,
  text,
} from "./messaging-harness";

const PAGE_SIZE = 3;
const DIALOG_COUNT = 8;

let paged: ApiServices;
let alice: TestUser;
/** Alice's dialogs she is still in, in the order she joined them (direct dialog ids hash the pair). */
let dialogIds: string[];
let leftGroupId: string;

const byId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

async function pageAll(caller: Caller): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { dialogs: { dialogId: string }[]; nextCursor: string | null } = await caller.dialog.changes(
      cursor === null ? undefined : { cursor },
    );
    ids.push(...page.dialogs.map((change) => change.dialogId));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { ids, pages };
}

const { h } = await messagingFixture("msgchangespaging", []);

beforeAll(async () => {
  paged = await h.createServices({ messaging: { ...TEST_MESSAGING, changesPageSize: PAGE_SIZE } });
  alice = await h.createUser(1);
  const peers = await Promise.all(Array.from({ length: DIALOG_COUNT }, () => h.createUser(1)));
  const caller = firstClient(alice).caller;
  dialogIds = [];
  // One at a time, so creation order is id order; a group she leaves sits in the middle.
  for (const [index, peer] of peers.entries()) {
    if (index === 4) {
      leftGroupId = (await caller.dialog.createGroup({ title: "left", memberIds: [peer.userId] })).id;
      await caller.dialog.leave({ dialogId: leftGroupId });
    }
    const dialog =
      index % 2 === 0
        ? await caller.dialog.openDirect({ userId: peer.userId })
        : await caller.dialog.createGroup({ title: `g${index}`, memberIds: [peer.userId] });
    dialogIds.push(dialog.id);
    // joined_at has millisecond precision: the inbox test relies on distinct join times.
    await Bun.sleep(2);
  }
  await caller.message.send({
    dialogId: dialogIds[0] ?? "",
    clientMsgId: "m1",
    clientSeq: 1,
    content: text("hi"),
  });
});

describe("dialog.changes pages", () => {
  test("every dialog exactly once across pages, in dialog id order; the last page's nextCursor is null", async () => {
    const caller = h.callerFor(paged, alice.userId, firstClient(alice).clientId);
    const { ids, pages } = await pageAll(caller);
    expect(ids).toEqual([...dialogIds].sort(byId));
    // 9 user_dialogs rows at most (the left group's row is gone), 3 a page.
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(DIALOG_COUNT / PAGE_SIZE));
    const first = await caller.dialog.changes();
    expect(first.dialogs).toHaveLength(PAGE_SIZE);
    expect(first.nextCursor).toBe(first.dialogs.at(-1)?.dialogId ?? "missing");
  });

  test("a dialog the user left is not listed", async () => {
    const caller = h.callerFor(paged, alice.userId, firstClient(alice).clientId);
    const { ids } = await pageAll(caller);
    expect(ids).not.toContain(leftGroupId);
  });

  test("a page carries last_seq and my read state", async () => {
    const caller = h.callerFor(paged, alice.userId, firstClient(alice).clientId);
    const { ids } = await pageAll(caller);
    expect(ids).toContain(dialogIds[0] ?? "missing");
    const all = await firstClient(alice).caller.dialog.changes();
    expect(all.dialogs.find((change) => change.dialogId === dialogIds[0])).toEqual({
      dialogId: dialogIds[0] ?? "",
      lastSeq: 1,
      readSeq: 1,
      deliveredSeq: 1,
      profileVersion: 0,
    });
  });

  test("the default page size lists all 8 dialogs in one page", async () => {
    const page = await firstClient(alice).caller.dialog.changes({});
    expect(page.dialogs.map((change) => change.dialogId)).toEqual([...dialogIds].sort(byId));
    expect(page.nextCursor).toBeNull();
  });

  test("a bad cursor is BAD_REQUEST", async () => {
    const caller = h.callerFor(paged, alice.userId, firstClient(alice).clientId);
    for (const cursor of ["abc", "-1", "0", "18446744073709551616", "1:2"]) {
      await expect(caller.dialog.changes({ cursor })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
  });

  test("a cursor past every dialog is an empty last page", async () => {
    const caller = h.callerFor(paged, alice.userId, firstClient(alice).clientId);
    const page = await caller.dialog.changes({ cursor: "18446744073709551615" });
    expect(page).toEqual({ dialogs: [], nextCursor: null });
  });

  test("every page counts against the per-client read budget", async () => {
    const limited = await h.createServices({
      messaging: {
        ...TEST_MESSAGING,
        changesPageSize: PAGE_SIZE,
        readRateLimit: { max: 2, windowMs: 60_000 },
      },
    });
    // The budget is per client: a fresh client id starts with a full one.
    const caller = h.callerFor(limited, alice.userId, h.services.ids.nextId());
    const first = await caller.dialog.changes();
    const second = await caller.dialog.changes({ cursor: first.nextCursor });
    expect(second.dialogs).toHaveLength(PAGE_SIZE);
    await expect(caller.dialog.changes({ cursor: second.nextCursor })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
  });
});

describe("the inbox under its scan limit", () => {
  test("shows the dialogs joined last, ordered by activity among them", async () => {
    const capped = await h.createServices({ messaging: { ...TEST_MESSAGING, inboxScanLimit: 3 } });
    const caller = h.callerFor(capped, alice.userId, firstClient(alice).clientId);
    const newest = dialogIds.slice(-3);
    const middle = newest[1] ?? "";
    await firstClient(alice).caller.message.send({
      dialogId: middle,
      clientMsgId: "m2",
      clientSeq: 1,
      content: text("bump"),
    });
    const inbox = await caller.dialog.list({ limit: 50 });
    const ids = inbox.items.map((item) => item.id);
    expect([...ids].sort(byId)).toEqual([...newest].sort(byId));
    // The bumped dialog leads; the oldest dialog (with a message too) is past the cap.
    expect(ids[0]).toBe(middle);
    expect(ids).not.toContain(dialogIds[0]);
    // Without the cap the oldest dialog is there.
    const all = await firstClient(alice).caller.dialog.list({ limit: 50 });
    expect(all.items.map((item) => item.id)).toContain(dialogIds[0] ?? "missing");
  });
});
