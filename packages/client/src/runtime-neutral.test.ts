import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The engine runs under Bun, Node and browsers (apps/realtime's node-client test runs it under
 * Node 20): its sources must not reach for Bun-only or Node-only APIs.
 */
describe("runtime-neutral sources", () => {
  const dir = import.meta.dir;
  const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

  test.each(sources)("%s uses no Bun or Node built-ins", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    expect(text).not.toMatch(/\bBun\.[a-zA-Z]/);
    expect(text).not.toMatch(/from\s+["'](bun|bun:[a-z]+|node:[a-z/]+)["']/);
    expect(text).not.toMatch(/\bprocess\.(env|versions|nextTick)/);
    expect(text).not.toMatch(/\brequire\(/);
  });
});
