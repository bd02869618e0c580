import { MAX_PRESENCE_WATCH, type TClientFrame } from "@parley/protocol";
import type { ChatApi, PresenceTicket } from "./api";

/** A presence ticket this close to its expiry is fetched again before it is sent. */
export const TICKET_LEAD_MS = 30_000;

/**
 * The users this client watches for presence, kept across reconnects. The gateway watches only
 * users named in a ticket the API signed (those sharing a dialog with this client), so every
 * `presence.watch` carries one: fetched when missing, close to expiry, or refused once.
 */
export class PresenceWatch {
  private watched: string[] = [];
  private ticket: PresenceTicket | null = null;
  private ticketRetried = false;

  constructor(
    private readonly api: Pick<ChatApi, "presenceTicket">,
    private readonly send: (frame: TClientFrame) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Replaces the watched users (at most MAX_PRESENCE_WATCH) and tells the gateway. */
  watch(userIds: string[]): void {
    this.watched = [...new Set(userIds)].slice(0, MAX_PRESENCE_WATCH);
    this.ticket = null;
    void this.sendWatch();
  }

  /** A new socket (maybe on another gateway) knows nothing of our watches: send them again. */
  onOpen(): void {
    if (this.watched.length > 0) void this.sendWatch();
  }

  /**
   * The gateway refused the ticket (expired, or minted for an older membership): fetch one more
   * and send again, once. False if the refusal was already retried.
   */
  onRefused(): boolean {
    if (this.ticketRetried) return false;
    this.ticketRetried = true;
    void this.sendWatch(true);
    return true;
  }

  private async sendWatch(refetch = false): Promise<void> {
    if (this.watched.length === 0) {
      this.send({ type: "presence.watch", userIds: [] });
      return;
    }
    const fetchTicket = this.api.presenceTicket;
    if (!fetchTicket) return;
    const watched = this.watched;
    try {
      if (refetch || !this.ticket || this.ticket.expiresAt - Date.now() < TICKET_LEAD_MS) {
        this.ticket = await fetchTicket({ userIds: watched });
      }
      if (watched !== this.watched) return; // replaced meanwhile: the newer call sends its own
      this.send({ type: "presence.watch", ticket: this.ticket.ticket });
    } catch (error) {
      this.onError(error);
    }
  }
}
