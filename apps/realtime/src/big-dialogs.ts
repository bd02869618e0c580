import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { dialogSubject, ZDialogEvent } from "@parley/protocol";
import type { Metrics } from "./metrics";
import { dialogTopic } from "./protocol";
import type { Socket } from "./socket";

/** A token this much newer than a removal the gateway heard reflects membership after it. */
const LEFT_TOKEN_MARGIN_MS = 3_000;

/** One NATS subscription feeding one Bun topic, and the sockets of this process in that topic. */
export type TopicEntry = { sockets: Socket[]; sub: Subscription; topic: string };

/**
 * Big groups (DESIGN.md "Scale"): the API publishes a big dialog's messages once on
 * `chat.dialog.<id>`. The process subscribes that subject while at least one socket here lists the
 * dialog in its token (`dlg`), and those sockets join the topic `d:<id>`: one NATS message is one
 * native publish, whatever the number of members here. Delivery itself is the user path's (`deliver`).
 */
export class BigDialogs {
  readonly entries = new Map<string, TopicEntry>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly metrics: Metrics,
    private readonly deliver: (entry: TopicEntry, payload: string) => void,
  ) {}

  /**
   * Replaces the socket's big dialogs with `dialogIds` (a token's `dlg`): joins the new ones, leaves
   * the missing ones. True when it subscribed anything — the caller then waits for a NATS flush.
   */
  set(ws: Socket, dialogIds: readonly string[], issuedAt: number): boolean {
    const wanted = this.notLeft(ws, dialogIds, issuedAt);
    const current = ws.data.dialogs;
    if (current.length === 0 && wanted.length === 0) return false;
    // Sets, not includes(): a token lists up to MAX_TOKEN_BIG_DIALOGS and refreshes every ~45 s.
    const wantedSet = new Set(wanted);
    const currentSet = new Set(current);
    for (const id of current) if (!wantedSet.has(id)) this.leave(ws, id, true);
    let joined = false;
    for (const id of wanted) {
      if (currentSet.has(id)) continue;
      this.join(ws, id);
      joined = true;
    }
    ws.data.dialogs = wanted;
    return joined;
  }

  /**
   * `dialogIds` minus those the user left, unless this token was minted clearly after the removal:
   * then the API saw the user back in (a "joined" this gateway missed) and the token decides. The
   * margin covers `iat`'s whole seconds and clock skew between API and gateway.
   */
  private notLeft(ws: Socket, dialogIds: readonly string[], issuedAt: number): readonly string[] {
    const left = ws.data.leftDialogs;
    if (!left) return dialogIds;
    const stillLeft = left.filter((entry) => issuedAt <= entry.at + LEFT_TOKEN_MARGIN_MS);
    ws.data.leftDialogs = stillLeft.length > 0 ? stillLeft : null;
    return dialogIds.filter((id) => !stillLeft.some((entry) => entry.dialogId === id));
  }

  /** A new socket joins the big dialogs its upgrade token listed (already in `ws.data.dialogs`). */
  addSocket(ws: Socket): void {
    for (const id of ws.data.dialogs) this.join(ws, id);
  }

  /** Socket closed: Bun already dropped it from its topics, only the counts here are left. */
  removeSocket(ws: Socket): void {
    for (const id of ws.data.dialogs) this.leave(ws, id, false);
  }

  /**
   * A `dialog` event on a user's subject (rare, so parsed). "left": the user's sockets here leave the
   * dialog's topic now, before any token refresh, and remember it so that a token minted just before
   * the removal cannot bring it back. "joined": forget such a removal (the user is back).
   */
  onDialogEvent(sockets: readonly Socket[], payload: string): void {
    const parsed = ZDialogEvent.safeParse(safeJson(payload));
    if (!parsed.success) return;
    const { dialogId, change, big } = parsed.data;
    for (const ws of sockets) {
      const data = ws.data;
      if (change === "left") {
        const isHeld = data.dialogs.includes(dialogId);
        if (isHeld) {
          this.leave(ws, dialogId, true);
          data.dialogs = data.dialogs.filter((id) => id !== dialogId);
          this.metrics.dialogRemovals++;
        }
        if ((isHeld || big === true) && !data.leftDialogs?.some((entry) => entry.dialogId === dialogId)) {
          data.leftDialogs = [...(data.leftDialogs ?? []), { dialogId, at: Date.now() }];
        }
      } else if (change === "joined" && data.leftDialogs?.some((entry) => entry.dialogId === dialogId)) {
        const rest = data.leftDialogs.filter((entry) => entry.dialogId !== dialogId);
        data.leftDialogs = rest.length > 0 ? rest : null;
      }
    }
  }

  stop(): void {
    for (const entry of this.entries.values()) entry.sub.unsubscribe();
    this.entries.clear();
  }

  private join(ws: Socket, dialogId: string): void {
    let entry = this.entries.get(dialogId);
    if (!entry) {
      const sub = this.nc.subscribe(dialogSubject(dialogId), {
        callback: (error, msg) => {
          if (error) return;
          this.metrics.natsMessages++;
          const current = this.entries.get(dialogId);
          if (!current) return;
          this.metrics.dialogDeliveries += current.sockets.length;
          this.deliver(current, msg.string());
        },
      });
      entry = { sockets: [], sub, topic: dialogTopic(dialogId) };
      this.entries.set(dialogId, entry);
    }
    entry.sockets.push(ws);
    ws.subscribe(entry.topic);
  }

  private leave(ws: Socket, dialogId: string, isOpen: boolean): void {
    const entry = this.entries.get(dialogId);
    if (!entry) return;
    if (isOpen) ws.unsubscribe(entry.topic);
    const index = entry.sockets.indexOf(ws);
    if (index >= 0) entry.sockets.splice(index, 1);
    if (entry.sockets.length > 0) return;
    // Last socket here that lists this dialog: stop NATS sending it to this process.
    this.entries.delete(dialogId);
    entry.sub.unsubscribe();
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
