import { afterAll, expect } from "bun:test";
import { connect } from "@nats-io/transport-node";
import { createAuthService, verifyRealtimeToken } from "@parley/auth";
import { createTestAuthConfig } from "@parley/auth/testing";
import type { MessagingOptions } from "@parley/core";
import { type TUserEvent, ZUserEvent } from "@parley/protocol";
import { TEST_NATS_URL } from "@parley/testkit";
import { waitUntil } from "@parley/testkit/wait";
import { sql } from "drizzle-orm";
import type { ApiServices } from "../context";
import { firstClient, messagingFixture, TEST_MESSAGING, type TestUser, text } from "./messaging-harness";

/**
 * The setup of the big-group test files: the threshold lowered to 3 members, and every publish
 * captured raw on `chat.>` (subject + text). "Nothing else was published" is checked behind a
 * barrier: a sentinel published on the same NATS connection after the step under test arrives after
 * everything that step published.
 */
export const BIG: MessagingOptions = { ...TEST_MESSAGING, bigGroupMinMembers: 3, bigGroupFanoutGraceMs: 0 };

export type Published = { subject: string; data: string };

export type BigGroupsFixture = Awaited<ReturnType<typeof bigGroupsFixture>>;

/** One call per test file (top-level await); the capture connection closes after its last test. */
export async function bigGroupsFixture(label: string) {
  const { h } = await messagingFixture(label, []);
  const published: Published[] = [];
  const nats = await connect({ servers: TEST_NATS_URL, name: `test-${label}-capture` });
  afterAll(() => nats.close());
  nats.subscribe("chat.>", {
    callback: (error, msg) => {
      if (!error) published.push({ subject: msg.subject, data: msg.string() });
    },
  });
  await nats.flush();
  const authConfig = await createTestAuthConfig();
  const withAuth = async (messaging: MessagingOptions): Promise<ApiServices> => {
    const services = await h.createServices({ messaging });
    const auth = createAuthService(authConfig, {
      db: services.db,
      redis: services.redis,
      events: services.events,
      ids: services.ids,
    });
    return { ...services, auth };
  };
  /** Threshold 3, grace 0: big groups switch to the dialog subject at once. */
  const big = await withAuth(BIG);
  /** Threshold 3, grace 60 s: a just-big group still publishes per member. */
  const graced = await withAuth({ ...BIG, bigGroupFanoutGraceMs: 60_000 });
  let barriers = 0;
  let sendSeq = 0;

  /** Waits until everything `services` published before this call has reached the capture. */
  async function barrier(services: ApiServices): Promise<void> {
    const subject = `chat.test.barrier.${++barriers}`;
    services.events.publish(subject, { barrier: barriers });
    await waitUntil(() => published.some((entry) => entry.subject === subject), `barrier ${subject}`, {
      timeoutMs: 10_000,
      intervalMs: 5,
    });
  }

  const eventsOf = (entries: Published[]): (Published & { event: TUserEvent })[] =>
    entries.flatMap((entry) => {
      if (entry.subject.startsWith("chat.test.")) return [];
      const parsed = ZUserEvent.safeParse(JSON.parse(entry.data));
      return parsed.success ? [{ ...entry, event: parsed.data }] : [];
    });

  /**
   * Message events of one dialog published from `from` on (an index into `published`); with
   * `clientMsgId`, of that message only (a relay may also republish rows whose batched delete is pending).
   */
  function messagesOf(dialogId: string, from: number, clientMsgId?: string) {
    return eventsOf(published.slice(from)).filter(
      (entry) =>
        entry.event.type === "message" &&
        entry.event.dialogId === dialogId &&
        (clientMsgId === undefined || entry.event.message.clientMsgId === clientMsgId),
    );
  }

  function dialogEventsOf(dialogId: string, from: number) {
    return eventsOf(published.slice(from)).flatMap((entry) =>
      entry.event.type === "dialog" && entry.event.dialogId === dialogId
        ? [{ subject: entry.subject, event: entry.event }]
        : [],
    );
  }

  type Row = Record<string, unknown>;
  async function query(statement: ReturnType<typeof sql>): Promise<Row[]> {
    const [rows] = (await h.db.execute(statement)) as unknown as [Row[]];
    return rows;
  }

  async function fanoutSinceOf(dialogId: string): Promise<unknown> {
    const rows = await query(sql`SELECT fanout_since FROM dialogs WHERE id = ${dialogId}`);
    return rows[0]?.fanout_since ?? null;
  }

  /** user_dialogs.big of each user for this dialog (user shard: one statement per user). */
  async function bigFlags(dialogId: string, users: TestUser[]): Promise<(number | null)[]> {
    const flags: (number | null)[] = [];
    for (const user of users) {
      const rows = await query(
        sql`SELECT big FROM user_dialogs WHERE user_id = ${user.userId} AND dialog_id = ${dialogId}`,
      );
      flags.push(rows[0] ? Number(rows[0].big) : null);
    }
    return flags;
  }

  /** The token's claims as signed (the verifier already checked the signature in tokenDialogs). */
  function claimsOf(token: string): Record<string, unknown> {
    const [, payload] = token.split(".");
    return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  }

  const caller = (services: ApiServices, user: TestUser) =>
    h.callerFor(services, user.userId, firstClient(user).clientId);

  async function tokenDialogs(user: TestUser): Promise<string[]> {
    const { token } = await caller(big, user).auth.realtimeToken();
    const verified = await verifyRealtimeToken(authConfig.realtimeTokenPublicKey, token);
    expect(verified.userId).toBe(user.userId);
    return verified.dialogIds;
  }

  /** A process whose sends crash after Confirm, before publishing (the outbox row stays for the relay). */
  function crashingBeforePublish(bigGroupFanoutGraceMs: number): Promise<ApiServices> {
    const crash = () => {
      throw new Error("injected crash before publish");
    };
    return h.createServices({
      messaging: { ...BIG, bigGroupFanoutGraceMs, faults: { beforePublish: crash } },
    });
  }

  /** The clientMsgId the next `send` uses. */
  const nextClientMsgId = () => `big-${sendSeq + 1}`;
  async function send(services: ApiServices, user: TestUser, dialogId: string) {
    sendSeq++;
    return caller(services, user).message.send({
      dialogId,
      clientMsgId: `big-${sendSeq}`,
      clientSeq: await nextClientSeq(user, dialogId),
      content: text(`hello ${sendSeq}`),
    });
  }

  async function nextClientSeq(user: TestUser, dialogId: string): Promise<number> {
    const rows = await query(
      sql`SELECT last_client_seq FROM dialog_client_seqs
           WHERE dialog_id = ${dialogId} AND client_id = ${firstClient(user).clientId}`,
    );
    return Number(rows[0]?.last_client_seq ?? 0) + 1;
  }

  return {
    h,
    big,
    graced,
    published,
    barrier,
    eventsOf,
    messagesOf,
    dialogEventsOf,
    fanoutSinceOf,
    bigFlags,
    claimsOf,
    caller,
    tokenDialogs,
    crashingBeforePublish,
    nextClientMsgId,
    send,
  };
}
