import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { DEFAULT_NATS_URL, parseEnv } from "./env";

const ZExampleEnv = z.object({
  NATS_URL: z.string().default(DEFAULT_NATS_URL),
  SECRET: z.string().min(32, "must be at least 32 characters"),
  POOL: z.coerce.number().int().min(1).default(4),
});

describe("parseEnv", () => {
  test("applies defaults and coercions", () => {
    const env = parseEnv(ZExampleEnv, { SECRET: "s".repeat(32), POOL: "8" }, "example");
    expect(env).toEqual({ NATS_URL: "nats://127.0.0.1:4222", SECRET: "s".repeat(32), POOL: 8 });
  });

  test("a bad variable throws one line naming the process and the variable, never the value", () => {
    const secret = "short-secret-value";
    expect(() => parseEnv(ZExampleEnv, { SECRET: secret }, "example")).toThrow(
      "[example] invalid environment variable SECRET: must be at least 32 characters",
    );
    try {
      parseEnv(ZExampleEnv, { SECRET: secret }, "example");
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
    expect(() => parseEnv(ZExampleEnv, { SECRET: "s".repeat(32), POOL: "lots" }, "example")).toThrow(
      /^\[example\] invalid environment variable POOL: /,
    );
  });
});
