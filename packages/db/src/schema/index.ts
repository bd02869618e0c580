export * from "./attachment";
export * from "./auth";
export * from "./dialog";
export * from "./lease";
export * from "./message";
export * from "./search";
export * from "./user";
export * from "./vitess-lookup";
