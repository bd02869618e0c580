import type { ConnectionState } from "./connection";
import type { DialogSync } from "./dialog-sync";

/**
 * Joining a big group (or a group becoming big): its messages come on `chat.dialog.<id>`, which
 * the gateway hears for this socket only once a token lists it. So: a fresh token in-band, auth.ok
 * (the gateway subscribed), then sync — subscribe first, then catch up, as on every reconnect.
 */
export class BigGroupJoins {
  /** Joins in progress (token refresh, then sync). */
  private joining = 0;

  constructor(
    private readonly connection: {
      /** Sends a fresh token in-band; true once the gateway accepted it. */
      refreshToken: () => Promise<boolean>;
      readonly state: ConnectionState;
    },
    private readonly dialogSync: DialogSync,
  ) {}

  get busy(): boolean {
    return this.joining > 0;
  }

  async join(dialogId: string): Promise<void> {
    this.joining++;
    try {
      const subscribed = await this.connection.refreshToken();
      // No open socket: the next hello's catch-up covers the dialog, its token lists it.
      if (!subscribed && this.connection.state !== "open") return;
      // Refused or unanswered: sync what there is; the next refresh subscribes and the next
      // message's prevSeq gap fills whatever came in between.
      await this.dialogSync.sync(dialogId);
    } finally {
      this.joining--;
    }
  }
}
