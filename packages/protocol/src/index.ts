export * from "./close-codes";
export * from "./events";
export * from "./frames";
export * from "./ids";
export * from "./message";
export * from "./presence";
export * from "./realtime-token";
export * from "./subjects";
