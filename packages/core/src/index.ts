export type { Actor } from "./actor";
export { type CoreServicesOptions, createCoreServices } from "./create-core-services";
export { type CoreEnv, readCoreEnv } from "./env";
export { AppError, type AppErrorCode } from "./errors";
export { createNatsPublisher, type NatsPublisher } from "./notify/nats-publisher";
export type { LookupRateLimit, MessagingOptions, RateLimit, SendFaults, SendStep } from "./options";
export { type Clock, SYSTEM_CLOCK } from "./ports";
export { type CoreRuntime, type CreateCoreRuntimeOptions, createCoreRuntime } from "./runtime";
export type { CoreOptions, CoreServices, EventPublisher, IdGenerator, ServiceBase } from "./services";
