import type { AuthService } from "@parley/auth";
import type { Db, SendPool } from "@parley/db";
import type Redis from "ioredis";
import type { BudgetLeases } from "./limits/budget-lease";
import type { SendOrder } from "./message/send/client-order";
import type { KnownMembers } from "./message/send/known-members";
import type { OutboxCleaner } from "./message/send/outbox-cleaner";
import type { TailBeacon } from "./message/send/tail-beacon";
import type { MemberCache } from "./notify/member-cache";
import type { MessagingOptions, ResolvedMessagingOptions, SendFaults } from "./options";
import type { Clock, EventPublisher, IdGenerator } from "./ports";

export type { Clock, EventPublisher, IdGenerator } from "./ports";

/** What every process holds before the UAA: the database, Redis, the publisher and ids. */
export type ServiceBase = {
  /** The general pool (Drizzle; multi-statement queries off). */
  db: Db;
  redis: Redis;
  events: EventPublisher;
  ids: IdGenerator;
};

/** The knobs of the domain services with their defaults filled in (rate limits, waits, page sizes). */
export type CoreOptions = Omit<ResolvedMessagingOptions, "faults">;

/**
 * One process's domain services: the stores and the publisher, the knobs, and the state the process
 * keeps in memory. Built once per process by createCoreServices and shared by every call; tests
 * build one per simulated process. Each service function names the members it uses
 * (`Pick<CoreServices, …>`), so a caller — or a test — needs only those.
 */
export type CoreServices = ServiceBase & {
  /**
   * The send path's own mysql2 pool with multi-statement queries (Confirm in two round trips), used
   * by the send path only. Absent on other drivers: the send path then runs one statement per round trip.
   */
  sendPool?: SendPool;
  /** The UAA (@parley/auth): tokens, tickets and public profiles. */
  auth: AuthService;
  clock: Clock;
  options: CoreOptions;
  /** Failure injection for the send path's crash tests; empty in production. */
  faults: SendFaults;
  /** The options as given (before defaults): lets a test build a variant of this process. */
  messaging?: MessagingOptions;

  // Per-process state, in memory only (lost on restart, which every user of it tolerates).
  /** Slices of the Redis budgets this process may spend without a round trip. */
  budgetLeases: BudgetLeases;
  /** Member lists by dialog, valid for one members_version. */
  memberCache: MemberCache;
  /** Sends of one client in one dialog in flight here, by clientSeq. */
  sendOrder: SendOrder;
  /** Senders confirmed as members under the dialog lock here: they may take the fused send. */
  knownMembers: KnownMembers;
  /** Outbox rows published and waiting for their batched delete. */
  outbox: OutboxCleaner;
  /** The last message this process pushed in each dialog, re-published once the dialog is quiet. */
  tailBeacon: TailBeacon;
};
