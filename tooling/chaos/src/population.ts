import {
  authenticateWithPassword,
  type ChatApi,
  ChatEngine,
  createTrpcChatApi,
  type SendAck,
  type SignedInClient,
} from "@parley/client";
import type { Rng } from "./prng";

/** An edit, delete or reaction a client sent (life-cycle-load.ts), to judge how it ended. */
export type SentChange = {
  localId: string;
  dialogId: string;
  what: string;
  targetId: string;
  targetKey: string;
};

const PASSWORD = "chaos suite password 1";

export type ChatStatus = { status: string; msgId?: string; seq?: number; error?: string };

/** One message the run typed, and what became of it as its sender's engine tells it. */
export type SentMessage = {
  localId: string;
  dialogId: string;
  text: string;
  /** The server must refuse it (too long): a failure the user can act on, not a false one. */
  expectRefusal: boolean;
};

/** One client (device) of a user: its engine and everything it was told. */
export type ChaosClient = {
  label: string;
  userIndex: number;
  userId: string;
  clientId: string;
  engine: ChatEngine;
  /** A raw API for this client (creating dialogs). */
  raw: ChatApi & { client: ReturnType<typeof createTrpcChatApi>["client"] };
  sent: SentMessage[];
  statuses: Map<string, ChatStatus>;
  /** Every ack the API returned to this client, by clientMsgId. */
  acks: Map<string, SendAck>;
  /** Engine error events by where and code ("sync TOO_MANY_REQUESTS"): diagnosis, not verdict. */
  errors: Map<string, number>;
  /** Per dialog: the next number in this client's texts ("u1.c0#7"), its send order. */
  counters: Map<string, number>;
  /** Edits, deletes and reactions this client sent (life-cycle-load.ts). */
  changes: SentChange[];
};

export type ChaosDialog = { id: string; kind: "direct" | "group" | "big"; members: number[] };

export type Population = {
  users: {
    index: number;
    handle: string;
    userId: string;
    clients: ChaosClient[];
    /**
     * A client of this user that only the judge uses to read the server's timeline: its own rate
     * budget, so judging never takes reads from an engine.
     */
    observer: ChatApi & { client: ReturnType<typeof createTrpcChatApi>["client"] };
  }[];
  clients: ChaosClient[];
  dialogs: ChaosDialog[];
  dialogsOf: (client: ChaosClient) => ChaosDialog[];
  membersOf: (dialog: ChaosDialog) => ChaosClient[];
  stop: () => void;
};

export type PopulationOptions = {
  tag: string;
  users: number;
  clientsPerUser: number;
  directDialogs: number;
  groups: number;
  groupSize: number;
  trpcUrl: string;
  wsUrls: string[];
  rng: Rng;
};

/**
 * Users (each with several clients), their dialogs (1:1 pairs, small groups, one group of everyone
 * that is big), and one started engine per client, connected to the gateways in turns. Dialogs exist
 * before the engines start, so every first token already lists the big group.
 */
export async function createPopulation(options: PopulationOptions): Promise<Population> {
  const { rng } = options;
  const users: Population["users"] = [];
  for (let index = 0; index < options.users; index++) {
    const handle = `${options.tag}u${index}`;
    const first = await authenticateWithPassword(options.trpcUrl, "signUp", {
      handle,
      displayName: `Chaos ${handle}`,
      password: PASSWORD,
    });
    const signed: SignedInClient[] = [first];
    for (let c = 1; c < options.clientsPerUser; c++) {
      signed.push(await authenticateWithPassword(options.trpcUrl, "signIn", { handle, password: PASSWORD }));
    }
    const observer = await authenticateWithPassword(options.trpcUrl, "signIn", {
      handle,
      password: PASSWORD,
    });
    users.push({
      index,
      handle,
      userId: first.userId,
      clients: signed.map((s, c) => createClient(options, index, c, s)),
      observer: createTrpcChatApi({ url: options.trpcUrl, session: observer.session }),
    });
  }
  const clients = users.flatMap((u) => u.clients);
  const creatorOf = (userIndex: number) => users[userIndex]?.clients[0] as ChaosClient;
  const dialogs: ChaosDialog[] = [];

  const pairs = new Set<string>();
  for (let i = 0; i < options.directDialogs * 10 && dialogs.length < options.directDialogs; i++) {
    const [a, b] = rng.shuffle(users.map((u) => u.index)).slice(0, 2) as [number, number];
    const key = [a, b].sort().join("-");
    if (pairs.has(key)) continue;
    pairs.add(key);
    const peer = users[b]?.userId;
    const view = (await creatorOf(a).raw.client.mutation("dialog.openDirect", { userId: peer })) as {
      id: string;
    };
    dialogs.push({ id: view.id, kind: "direct", members: [a, b] });
  }
  for (let g = 0; g < options.groups; g++) {
    const members = rng.shuffle(users.map((u) => u.index)).slice(0, options.groupSize);
    const [owner, ...rest] = members as [number, ...number[]];
    const view = (await creatorOf(owner).raw.client.mutation("dialog.createGroup", {
      title: `${options.tag} group ${g}`,
      memberIds: rest.map((m) => users[m]?.userId),
    })) as { id: string };
    dialogs.push({ id: view.id, kind: "group", members });
  }
  const everyone = users.map((u) => u.index);
  const big = (await creatorOf(0).raw.client.mutation("dialog.createGroup", {
    title: `${options.tag} everyone`,
    memberIds: users.slice(1).map((u) => u.userId),
  })) as { id: string };
  dialogs.push({ id: big.id, kind: "big", members: everyone });

  const population: Population = {
    users,
    clients,
    dialogs,
    dialogsOf: (client) => dialogs.filter((d) => d.members.includes(client.userIndex)),
    membersOf: (dialog) => clients.filter((c) => dialog.members.includes(c.userIndex)),
    stop: () => {
      for (const client of clients) client.engine.stop();
    },
  };
  await Promise.all(clients.map((client) => startAndCatchUp(client)));
  return population;
}

function createClient(
  options: PopulationOptions,
  userIndex: number,
  clientIndex: number,
  signed: SignedInClient,
): ChaosClient {
  const raw = createTrpcChatApi({ url: options.trpcUrl, session: signed.session });
  const engineApi = createTrpcChatApi({ url: options.trpcUrl, session: signed.session });
  const acks = new Map<string, SendAck>();
  const recording: ChatApi = {
    ...engineApi,
    async send(input) {
      const ack = await engineApi.send(input);
      acks.set(input.clientMsgId, ack);
      return ack;
    },
  };
  // Clients spread over both gateways; each fails over to the other.
  const order = (userIndex + clientIndex) % options.wsUrls.length;
  const urls = [...options.wsUrls.slice(order), ...options.wsUrls.slice(0, order)];
  const engine = new ChatEngine({
    api: recording,
    realtimeUrl: urls,
    userId: signed.userId,
    clientId: signed.clientId,
  });
  const client: ChaosClient = {
    label: `u${userIndex}.c${clientIndex}`,
    userIndex,
    userId: signed.userId,
    clientId: signed.clientId,
    engine,
    raw,
    sent: [],
    statuses: new Map(),
    acks,
    errors: new Map(),
    counters: new Map(),
    changes: [],
  };
  engine.on("status", (event) => {
    client.statuses.set(event.localId, {
      status: event.status,
      ...(event.msgId === undefined ? {} : { msgId: event.msgId }),
      ...(event.seq === undefined ? {} : { seq: event.seq }),
      ...(event.error === undefined ? {} : { error: event.error }),
    });
  });
  engine.on("error", ({ where, error }) => {
    const code = (error as { code?: unknown } | null)?.code;
    const key = `${where} ${typeof code === "string" ? code : error instanceof Error ? error.name : "error"}`;
    client.errors.set(key, (client.errors.get(key) ?? 0) + 1);
  });
  return client;
}

async function startAndCatchUp(client: ChaosClient, timeoutMs = 20_000): Promise<void> {
  const caughtUp = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${client.label} never caught up`)), timeoutMs);
    const off = client.engine.on("connection", ({ state }) => {
      if (state !== "caught-up") return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
  await client.engine.start();
  await caughtUp;
}

/** Types one message ("u1.c0#7"); `refused` makes it too long for the server to accept. */
export function sendText(client: ChaosClient, dialogId: string, options: { refused?: boolean } = {}): void {
  const n = client.counters.get(dialogId) ?? 0;
  client.counters.set(dialogId, n + 1);
  const base = `${client.label}#${n}`;
  const text = options.refused ? `${base} ${"x".repeat(4_001)}` : base;
  const localId = client.engine.send(dialogId, text);
  client.sent.push({ localId, dialogId, text, expectRefusal: options.refused === true });
}
