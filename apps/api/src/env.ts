import { cpus } from "node:os";
import { type EnvSource, parseEnv } from "@parley/protocol";
import { z } from "zod";

const ZApiServerEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /**
   * Processes sharing PORT (reusePort: the kernel spreads connections). One API process saturates
   * one core; production runs many instances anyway. Defaults to the machine's cores.
   */
  API_PROCESSES: z.coerce.number().int().min(1).max(256).default(cpus().length),
  /** Where every other path goes (the Next.js server: pages, OIDC routes); unset = 404. */
  NEXT_ORIGIN: z.url().optional(),
  /** Proxies in front of this server that append to X-Forwarded-For; 0 = the socket address. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Requests above this are refused with 413 before their body is read. */
  MAX_REQUEST_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
  /**
   * The request gate (src/request-gate.ts): tRPC calls per second one client (token, session, or
   * address without either) may make, and at once. Looser than every budget inside the API: it
   * bounds what refusals cost, the budgets decide what is allowed.
   */
  GATE_RATE_PER_SECOND: z.coerce.number().min(1).default(50),
  GATE_BURST: z.coerce.number().int().min(1).default(100),
  /** Longest a request is held (over the rate, or a call refused moments ago) before it goes on or is refused. */
  GATE_MAX_HOLD_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  GATE_MAX_HELD_PER_CALLER: z.coerce.number().int().min(0).default(32),
});

export type ApiServerEnv = z.infer<typeof ZApiServerEnv>;

/** Validated at start-up; a bad variable stops the process with one line naming it. */
export function readApiServerEnv(source: EnvSource = process.env): ApiServerEnv {
  return parseEnv(ZApiServerEnv, source, "api-server");
}
