import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createDb } from "./client";
import { users } from "./schema";

/**
 * The PlanetScale path of createDb, end to end through @planetscale/database's HTTP protocol: its
 * custom fetch is pointed at a local Bun.serve that answers like PlanetScale's Execute endpoint
 * (POST /psdb.v1alpha1.Database/Execute, Basic auth, JSON {query, session} → {session, result}).
 */

type Recorded = { url: string; authorization: string | null; userAgent: string | null; query: string };
const recorded: Recorded[] = [];
const MAX_ID = "18446744073709551615"; // max BIGINT UNSIGNED: far beyond 2^53
let server: ReturnType<typeof Bun.serve>;

/** One row in PlanetScale's wire form: cell lengths plus the base64 of the concatenated cells. */
function encodeRow(cells: (string | null)[]) {
  return {
    lengths: cells.map((cell) => (cell === null ? "-1" : String(Buffer.byteLength(cell)))),
    values: Buffer.from(cells.filter((cell) => cell !== null).join("")).toString("base64"),
  };
}

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { query: string; session: unknown };
      const original = req.headers.get("x-original-url") ?? "";
      recorded.push({
        url: original,
        authorization: req.headers.get("authorization"),
        userAgent: req.headers.get("user-agent"),
        query: body.query,
      });
      if (!original.endsWith("/psdb.v1alpha1.Database/Execute")) {
        return Response.json({ error: { code: "NOT_FOUND", message: "no such endpoint" } }, { status: 404 });
      }
      const session = { signature: "test", vitessSession: { autocommit: true } };
      if (/^insert/i.test(body.query)) {
        return Response.json({ session, result: { rowsAffected: "1", insertId: "0" }, timing: 0.001 });
      }
      if (/^select/i.test(body.query)) {
        return Response.json({
          session,
          result: {
            fields: [
              { name: "id", type: "UINT64", table: "users", columnLength: 20, charset: 63, flags: 49699 },
              { name: "handle", type: "VARCHAR", table: "users", columnLength: 128, charset: 255 },
              { name: "display_name", type: "VARCHAR", table: "users", columnLength: 256, charset: 255 },
              { name: "created_at", type: "DATETIME", table: "users", columnLength: 23, charset: 63 },
            ],
            rows: [encodeRow([MAX_ID, "max", "Max Ünïcode", "2026-01-02 03:04:05.678"])],
          },
          timing: 0.001,
        });
      }
      return Response.json({ error: { code: "INVALID_ARGUMENT", message: `unexpected: ${body.query}` } });
    },
  });
});

afterAll(() => {
  server?.stop(true);
});

/** The driver always speaks https to the configured host; send it to the local server instead. */
const localFetch: typeof fetch = Object.assign(
  (input: RequestInfo | URL, init?: RequestInit) => {
    const original = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    headers.set("x-original-url", original);
    const path = new URL(original).pathname;
    return fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, headers });
  },
  { preconnect: fetch.preconnect },
);

describe("createDb with @planetscale/database", () => {
  test("planetscale:// URL: drizzle queries reach the HTTP API with auth and exact BIGINT ids", async () => {
    const handle = createDb("planetscale://app%2Buser:s3cr%40t@aws.connect.psdb.cloud/parley", {
      fetch: localFetch,
    });
    expect(handle.driver).toBe("planetscale");
    const rows = await handle.db
      .select({
        id: users.id,
        handle: users.handle,
        displayName: users.displayName,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(eq(users.id, MAX_ID));

    expect(rows).toEqual([
      {
        id: MAX_ID,
        handle: "max",
        displayName: "Max Ünïcode",
        createdAt: new Date("2026-01-02T03:04:05.678Z"),
      },
    ]);
    const call = recorded.at(-1);
    expect(call?.url).toBe("https://aws.connect.psdb.cloud/psdb.v1alpha1.Database/Execute");
    expect(call?.authorization).toBe(`Basic ${btoa("app+user:s3cr@t")}`);
    expect(call?.userAgent).toMatch(/^database-js\//);
    // Parameters are bound client-side by the driver: the id must arrive as the exact decimal.
    expect(call?.query).toBe(
      `select \`id\`, \`handle\`, \`display_name\`, \`created_at\` from \`users\` where \`users\`.\`id\` = '${MAX_ID}'`,
    );
    await handle.close();
  });

  test("https:// URL and an insert: the SQL and values go through unchanged", async () => {
    const handle = createDb("https://u:p@eu.connect.psdb.cloud", { fetch: localFetch });
    await handle.db.insert(users).values({
      id: "9223372036854775807",
      handle: "o'brien",
      displayName: "O'Brien",
      createdAt: new Date("2026-01-02T03:04:05.678Z"),
    });
    const call = recorded.at(-1);
    expect(call?.url).toBe("https://eu.connect.psdb.cloud/psdb.v1alpha1.Database/Execute");
    expect(call?.authorization).toBe(`Basic ${btoa("u:p")}`);
    expect(call?.query).toBe(
      "insert into `users` (`id`, `handle`, `display_name`, `avatar_key`, `profile_version`, `created_at`) " +
        "values ('9223372036854775807', 'o''brien', 'O''Brien', default, default, '2026-01-02 03:04:05.678')",
    );
  });

  test("an API error surfaces as an error, not as empty rows", async () => {
    const handle = createDb("planetscale://u:p@aws.connect.psdb.cloud", { fetch: localFetch });
    const error = await handle.db.execute("DELETE FROM users").then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    const cause = error instanceof Error ? error.cause : undefined;
    expect(cause instanceof Error ? cause.message : String(cause)).toBe("unexpected: DELETE FROM users");
  });
});
