/**
 * Load-generator process: opens sockets bound to one source address and reports on stdout as JSON
 * lines. Modes: "hold" (open and keep), "count" (count delivered event frames), "latency" (record
 * send→deliver ms from a `lat:<ms>` stamp in message text). Config is a JSON file named by LOADGEN_CONFIG_FILE.
 * It reports its own CPU so a run shows the generator is not the bottleneck.
 */
import { readFileSync } from "node:fs";
import {
  REALTIME_TOKEN_ALG,
  REALTIME_TOKEN_AUDIENCE,
  REALTIME_TOKEN_DIALOGS_CLAIM,
  REALTIME_TOKEN_ISSUER,
  REALTIME_TOKEN_QUERY_PARAM,
} from "@parley/protocol";
import { openRawWs, type RawWs } from "@parley/testkit/raw-ws";
import { importPKCS8, SignJWT } from "jose";

export type LoadgenConfig = {
  mode: "hold" | "count" | "latency";
  host: string;
  port: number;
  localAddress: string;
  privateKeyPem: string;
  /** [userId, clientId] per socket. */
  identities: [string, string][];
  /** Sockets whose handshake is in flight at once. */
  concurrency?: number;
  /** Seconds of token life (≤ 60 as the API mints them). */
  ttlSeconds?: number;
  /** Big dialogs every token lists (the `dlg` claim), as auth.realtimeToken mints them. */
  dialogIds?: string[];
};

// A file, not an env var: 5k identities exceed the 128 KB limit of one environment string.
const config = JSON.parse(readFileSync(process.env.LOADGEN_CONFIG_FILE ?? "", "utf8")) as LoadgenConfig;
const key = await importPKCS8(config.privateKeyPem, REALTIME_TOKEN_ALG);
const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

let opened = 0;
let failed = 0;
let closed = 0;
let frames = 0;
let events = 0;
const closeCodes: Record<string, number> = {};
const samples: number[] = [];
const sockets: RawWs[] = [];
const STAMP = /lat:(\d+(?:\.\d+)?)/;
const now = () => performance.timeOrigin + performance.now();

function onText(text: string): void {
  frames++;
  if (!text.startsWith('{"type":"event"')) return;
  events++;
  if (config.mode !== "latency") return;
  const match = STAMP.exec(text);
  if (match?.[1]) samples.push(now() - Number(match[1]));
}

async function openOne(userId: string, clientId: string): Promise<void> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { cid: clientId };
  if (config.dialogIds?.length) claims[REALTIME_TOKEN_DIALOGS_CLAIM] = config.dialogIds;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: REALTIME_TOKEN_ALG })
    .setIssuer(REALTIME_TOKEN_ISSUER)
    .setAudience(REALTIME_TOKEN_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (config.ttlSeconds ?? 60))
    .sign(key);
  await new Promise<void>((resolve) => {
    let ready = false;
    const ws = openRawWs({
      host: config.host,
      port: config.port,
      path: `/ws?${REALTIME_TOKEN_QUERY_PARAM}=${token}`,
      localAddress: config.localAddress,
      onOpen: () => {},
      onText: (text) => {
        if (!ready && text.startsWith('{"type":"hello"')) {
          ready = true;
          opened++;
          resolve();
          return;
        }
        onText(text);
      },
      onClose: (code) => {
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
        if (!ready) {
          failed++;
          resolve();
        } else closed++;
      },
    });
    sockets.push(ws);
  });
}

const cpuStart = process.cpuUsage();
const queue = [...config.identities];
await Promise.all(
  Array.from({ length: config.concurrency ?? 64 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await openOne(next[0], next[1]);
  }),
);
out({ event: "ready", opened, failed, closeCodes });

const report = () => {
  const cpu = process.cpuUsage(cpuStart);
  out({
    event: "stats",
    opened,
    failed,
    closed,
    frames,
    events,
    stamped: samples.length,
    cpuUs: cpu.user + cpu.system,
    closeCodes,
  });
};
const timer = setInterval(report, 250);

process.on("SIGTERM", () => {
  clearInterval(timer);
  report();
  if (config.mode === "latency")
    out({ event: "latency", samples: samples.map((s) => Math.round(s * 1000) / 1000) });
  for (const ws of sockets) ws.socket.destroy();
  process.exit(0);
});
