import type { z } from "zod";

/**
 * Environment parsing for every Parley process, in one place. It lives here because every process
 * already depends on this package and it needs nothing but zod; it never reads `process.env` itself
 * (each process's env.ts passes its source), so it is safe in browser bundles too.
 */
export type EnvSource = Record<string, string | undefined>;

/** Where the local stack listens: the defaults every process uses when `.env` leaves these out. */
export const DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/parley";
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Parses `source` with a process's schema. A missing or bad variable throws one line naming the
 * process and the variable, with zod's message and never the value (keys and secrets live here).
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: EnvSource, name: string): z.output<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join(".") || "environment";
  throw new Error(`[${name}] invalid environment variable ${variable}: ${issue?.message ?? "invalid"}`);
}
