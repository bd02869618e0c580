/**
 * What a run cost, read from outside: CPU of every server process from /proc (a process tree: the
 * API's children count), and MariaDB's statement and commit counters (SHOW GLOBAL STATUS).
 * MariaDB, NATS and Redis are the machine's shared services: their deltas include whatever else
 * ran on them meanwhile — run on a quiet machine.
 */
import { readdirSync, readFileSync } from "node:fs";
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL } from "@parley/testkit";
import mysql from "mysql2/promise";

const CLOCK_TICKS = 100; // USER_HZ on Linux

type ProcStat = { pid: number; ppid: number; cpuUs: number };

function readStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" of comm (comm may contain spaces): ppid is field 4, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, ppid: Number(fields[1]), cpuUs: (ticks * 1e6) / CLOCK_TICKS };
  } catch {
    return null; // exited between readdir and read
  }
}

function allStats(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

/** CPU µs of a process and every live descendant (children that exited before the read are not counted). */
export function treeCpuMicros(root: number, stats = allStats()): number {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat);
    children.set(stat.ppid, list);
  }
  let total = stats.find((stat) => stat.pid === root)?.cpuUs ?? 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      total += child.cpuUs;
      queue.push(child.pid);
    }
  }
  return total;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function pgrep(name: string): Promise<number[]> {
  const out = await Bun.$`pgrep -x ${name}`.quiet().nothrow().text();
  return out
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

/**
 * The shared service processes. Tests start their own nats-servers on other ports: the one named by
 * the URL's port on its command line wins, else the oldest (the machine's).
 */
export async function findServicePids(): Promise<Record<string, number>> {
  const pick = async (name: string, url: string) => {
    const pids = (await pgrep(name)).sort((a, b) => a - b);
    const port = new URL(url).port;
    return pids.find((pid) => port && cmdline(pid).includes(` ${port}`)) ?? pids[0] ?? 0;
  };
  const found = {
    mariadb: await pick("mariadbd", TEST_DATABASE_URL),
    nats: await pick("nats-server", TEST_NATS_URL),
    redis: await pick("redis-server", TEST_REDIS_URL),
  };
  return Object.fromEntries(Object.entries(found).filter(([, pid]) => pid > 0));
}

/** CPU deltas of named process trees over a run, in µs. */
export function cpuMeter(roots: Record<string, number>): () => Record<string, number> {
  const snapshot = () => {
    const stats = allStats();
    return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, treeCpuMicros(pid, stats)]));
  };
  const start = snapshot();
  return () => {
    const end = snapshot();
    return Object.fromEntries(Object.entries(end).map(([name, us]) => [name, us - (start[name] ?? 0)]));
  };
}

export const MARIADB_COUNTERS = [
  "Com_select",
  "Com_insert",
  "Com_update",
  "Com_delete",
  "Com_commit",
  "Handler_commit",
  "Questions",
] as const;
export type MariaDbCounter = (typeof MARIADB_COUNTERS)[number];

export type StatusReader = {
  read: () => Promise<Record<MariaDbCounter, number>>;
  close: () => Promise<void>;
};

/** Server-wide counters (GLOBAL): this connection's own SHOW is one Questions per read. */
export async function mariaDbStatus(): Promise<StatusReader> {
  const conn = await mysql.createConnection({ uri: TEST_DATABASE_URL });
  const list = MARIADB_COUNTERS.map((name) => `'${name}'`).join(",");
  return {
    async read() {
      const [rows] = (await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${list})`)) as unknown as [
        { Variable_name: string; Value: string }[],
      ];
      const values = Object.fromEntries(MARIADB_COUNTERS.map((name) => [name, 0])) as Record<
        MariaDbCounter,
        number
      >;
      for (const row of rows) {
        const name = MARIADB_COUNTERS.find(
          (counter) => counter.toLowerCase() === row.Variable_name.toLowerCase(),
        );
        if (name) values[name] = Number(row.Value);
      }
      return values;
    },
    close: () => conn.end(),
  };
}

/** The 1-minute load average (the first field of /proc/loadavg). */
export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}
