/**
 * Failed sign-ins are limited in Redis, so the budget is shared by every API process: here a second
 * Bun process spends half of it.
 */
import { describe, expect, test } from "bun:test";
import { authFixture } from "./auth-harness";

const h = await authFixture("authrate");

const run = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const PASSWORD = "the right password";

async function signIn(handle: string, password: string, ip: string): Promise<string> {
  const { call } = await h.caller({}, ip);
  try {
    await call.auth.signIn({ handle, password, mode: "token" });
    return "signed in";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function runChild(
  handle: string,
  attempts: number,
  ip: string,
): Promise<{ pid: number; outcomes: string[] }> {
  const child = Bun.spawn(["bun", new URL("./auth-rate-limit-child.ts", import.meta.url).pathname], {
    env: {
      ...process.env,
      CHILD_DATABASE_URL: h.testDb.url,
      CHILD_HANDLE: handle,
      CHILD_ATTEMPTS: String(attempts),
      CHILD_IP: ip,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`child process failed (${code}): ${stderr}`);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as { pid: number; outcomes: string[] };
}

describe("sign-in rate limiting across processes", () => {
  test("the 11th wrong password in a minute is refused, counted across two API processes", async () => {
    const handle = `victim${run}`.slice(0, 32);
    await h.signUpWithTokens(handle, PASSWORD);
    const here: string[] = [];
    for (let i = 0; i < 5; i++) here.push(await signIn(handle, "wrong password!", randomIp()));
    expect(here).toEqual(Array(5).fill("wrong handle or password"));

    const child = await runChild(handle, 5, randomIp());
    expect(child.pid).not.toBe(process.pid);
    expect(child.outcomes).toEqual(Array(5).fill("wrong handle or password"));

    // Attempt 11 is refused before the password is even checked — the right one included.
    expect(await signIn(handle, PASSWORD, randomIp())).toBe("too many failed sign-ins; try again later");
    expect(await signIn(handle, "wrong password!", randomIp())).toBe(
      "too many failed sign-ins; try again later",
    );
    // Other handles are unaffected.
    const bystander = `bystander${run}`.slice(0, 32);
    await h.signUpWithTokens(bystander, PASSWORD);
    expect(await signIn(bystander, PASSWORD, randomIp())).toBe("signed in");
  });

  test("successful sign-ins do not eat the budget", async () => {
    const handle = `regular${run}`.slice(0, 32);
    await h.signUpWithTokens(handle, PASSWORD);
    for (let i = 0; i < 12; i++) expect(await signIn(handle, PASSWORD, randomIp())).toBe("signed in");
  });

  test("one IP guessing across many handles is refused after its own budget", async () => {
    const ip = randomIp();
    const limit = h.config.rateLimit.maxFailuresPerIp;
    const outcomes: string[] = [];
    for (let i = 0; i <= limit; i++)
      outcomes.push(await signIn(`guess${run}${i}`.slice(0, 32), "wrong password!", ip));
    expect(outcomes.slice(0, limit)).toEqual(Array(limit).fill("wrong handle or password"));
    expect(outcomes[limit]).toBe("too many failed sign-ins; try again later");
  }, 30_000); // 51 argon2 verifications in a row: seconds on a busy 2-core machine

  test("no statement scattered across shards", () => {
    expect(h.testDb.scatterStatements()).toEqual([]);
  });
});
