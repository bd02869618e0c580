/**
 * The service bring-up against private ports: real mariadbd, nats-server and redis-server started
 * in a temporary checkout, never the shared servers on the default ports.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { ensureServices } from "../ensure-services";
import { answers, freePort } from "../net";
import { SERVICES } from "../specs";
import { findFirst, serviceSearchPath } from "../which";

setDefaultTimeout(90_000);

const temp = mkdtempSync(join(tmpdir(), "parley-services-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The first bytes a server says after `send` (NATS greets unasked; Redis answers PING). */
function firstReply(port: number, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      if (send) socket.write(send);
    });
    socket.setTimeout(5000, () => reject(new Error(`no reply on ${port}`)));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once("error", reject);
  });
}

async function privateUrls() {
  return {
    mariadb: `mysql://root@127.0.0.1:${await freePort()}/parley`,
    nats: `nats://127.0.0.1:${await freePort()}`,
    redis: `redis://127.0.0.1:${await freePort()}`,
  };
}

describe("service bring-up", () => {
  test("starts private MariaDB, NATS and Redis on free ports; they answer, stop, and keep their data", async () => {
    const checkout = join(temp, "checkout");
    const urls = await privateUrls();
    const requests = (["mariadb", "nats", "redis"] as const).map((name) => ({ name, url: urls[name] }));
    const options = { requests, dataRoot: join(checkout, ".parley"), searchPath: serviceSearchPath() };

    const first = await ensureServices(options);
    if (!first.ok) throw new Error(first.lines.join("\n"));
    expect(first.started.map((instance) => instance.name)).toEqual(["mariadb", "nats", "redis"]);
    // Nothing answered at the configured ports, which were free: the instances took them.
    expect(first.urls).toEqual(urls);
    const port = (name: keyof typeof urls) => Number(new URL(urls[name]).port);
    try {
      // Root with an empty password over TCP, as the apps connect.
      const db = await mysql.createConnection({ uri: urls.mariadb.replace(/\/parley$/, "") });
      await db.query("CREATE DATABASE kept_between_runs");
      await db.end();
      expect(await firstReply(port("nats"))).toStartWith("INFO ");
      expect(await firstReply(port("redis"), "PING\r\n")).toBe("+PONG\r\n");
    } finally {
      await first.stop();
    }
    for (const name of ["mariadb", "nats", "redis"] as const) {
      expect(await answers("127.0.0.1", port(name))).toBe(false);
    }

    // The next run finds the data folder and starts from it (no second initialisation).
    const second = await ensureServices(options);
    if (!second.ok) throw new Error(second.lines.join("\n"));
    try {
      const db = await mysql.createConnection({ uri: urls.mariadb.replace(/\/parley$/, "") });
      const [rows] = await db.query("SHOW DATABASES LIKE 'kept_between_runs'");
      await db.end();
      expect(rows as unknown[]).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  test("an instance left running by a run that was killed is adopted, and stopped by the next run", async () => {
    const urls = await privateUrls();
    const options = {
      requests: [
        { name: "nats" as const, url: urls.nats },
        { name: "redis" as const, url: urls.redis },
      ],
      dataRoot: join(temp, "leftover", ".parley"),
      searchPath: serviceSearchPath(),
    };
    // The first run never stops its instances: while it lives (here: this process) they are its own.
    const killed = await ensureServices(options);
    if (!killed.ok) throw new Error(killed.lines.join("\n"));
    const meanwhile = await ensureServices(options);
    if (!meanwhile.ok) throw new Error(meanwhile.lines.join("\n"));
    expect(meanwhile.started).toEqual([]);
    // Then it is SIGKILLed: its pid files now name an owner that is gone.
    const gone = Bun.spawn(["true"]);
    await gone.exited;
    for (const name of ["nats", "redis"]) {
      const file = join(options.dataRoot, `${name}.pid`);
      const [server] = (await Bun.file(file).text()).split(" ");
      await Bun.write(file, `${server} ${gone.pid}`);
    }
    const next = await ensureServices(options);
    if (!next.ok) throw new Error(next.lines.join("\n"));
    try {
      expect(next.started.map((instance) => instance.name).sort()).toEqual(["nats", "redis"]);
    } finally {
      await next.stop();
      await killed.stop();
    }
    for (const url of [urls.nats, urls.redis]) {
      expect(await answers("127.0.0.1", Number(new URL(url).port))).toBe(false);
    }
  });

  test("whatever already answers at the configured URL is used, not replaced", async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const address = server.address();
    const url = `redis://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const result = await ensureServices({
        requests: [{ name: "redis", url }],
        dataRoot: join(temp, "answering", ".parley"),
        searchPath: serviceSearchPath(),
      });
      if (!result.ok) throw new Error(result.lines.join("\n"));
      expect(result.started).toEqual([]);
      expect(result.urls.redis).toBe(url);
      expect(existsSync(join(temp, "answering", ".parley"))).toBe(false);
    } finally {
      server.close();
    }
  });

  test("a missing server binary: one install line for apt and Homebrew, non-zero exit, nothing started", async () => {
    // A PATH holding only nats-server and redis-server: MariaDB is "not installed".
    const bin = join(temp, "bin-without-mariadb");
    mkdirSync(bin, { recursive: true });
    for (const name of ["nats-server", "redis-server"]) {
      const real = findFirst([name], serviceSearchPath());
      if (!real) throw new Error(`${name} is not installed here (the test needs it)`);
      symlinkSync(real, join(bin, name));
    }
    const checkout = join(temp, "missing");
    mkdirSync(checkout, { recursive: true });
    const urls = await privateUrls();
    const cli = Bun.spawn(
      [process.execPath, join(import.meta.dir, "../cli.ts"), "--root", checkout, "--", "true"],
      {
        env: {
          ...process.env,
          PARLEY_SERVICE_PATH: bin,
          DATABASE_URL: urls.mariadb,
          NATS_URL: urls.nats,
          REDIS_URL: urls.redis,
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [code, stderr] = await Promise.all([cli.exited, new Response(cli.stderr).text()]);
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    const mariadbLine = lines.find((line) => line.startsWith("MariaDB"));
    expect(mariadbLine).toContain(`\`${SERVICES.mariadb.install.apt}\` (Debian/Ubuntu)`);
    expect(mariadbLine).toContain(`\`${SERVICES.mariadb.install.brew}\` (macOS)`);
    // Only the missing piece is named, and the others were not started while it was missing.
    expect(lines.filter((line) => /install/.test(line))).toHaveLength(1);
    expect(await answers("127.0.0.1", Number(new URL(urls.nats).port))).toBe(false);
    expect(existsSync(join(checkout, ".parley", "nats"))).toBe(false);
  });
});
