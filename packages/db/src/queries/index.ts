export * from "./auth-cleanup";
export * from "./confirm";
export * from "./contacts";
export * from "./dialog";
export * from "./lease";
export * from "./message";
export * from "./outbox";
export * from "./result";
