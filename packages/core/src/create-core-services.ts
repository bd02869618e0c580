import type { AuthService } from "@parley/auth";
import type { SendPool } from "@parley/db";
import { BudgetLeases } from "./limits/budget-lease";
import { createSendOrder } from "./message/send/client-order";
import { createKnownMembers } from "./message/send/known-members";
import { createOutboxCleaner } from "./message/send/outbox-cleaner";
import { createTailBeacon } from "./message/send/tail-beacon";
import { createMemberCache } from "./notify/member-cache";
import { type MessagingOptions, resolveMessagingOptions } from "./options";
import { type Clock, SYSTEM_CLOCK } from "./ports";
import type { CoreServices, ServiceBase } from "./services";

export type CoreServicesOptions = {
  sendPool?: SendPool;
  /** Knobs and test-only fault hooks; defaults for whatever is left out. */
  messaging?: MessagingOptions;
  clock?: Clock;
};

/**
 * One process's domain services around its stores and UAA, with fresh per-process state. Every
 * host (the API, test harnesses, spawned test servers, benches) builds them here, so a service can
 * rely on each member being present.
 */
export function createCoreServices(
  base: ServiceBase,
  auth: AuthService,
  { sendPool, messaging, clock = SYSTEM_CLOCK }: CoreServicesOptions = {},
): CoreServices {
  const { faults, ...options } = resolveMessagingOptions(messaging);
  return {
    ...base,
    ...(sendPool ? { sendPool } : {}),
    auth,
    clock,
    options,
    faults,
    ...(messaging ? { messaging } : {}),
    budgetLeases: new BudgetLeases(),
    memberCache: createMemberCache(),
    sendOrder: createSendOrder(),
    knownMembers: createKnownMembers(),
    outbox: createOutboxCleaner(),
    tailBeacon: createTailBeacon(),
  };
}
