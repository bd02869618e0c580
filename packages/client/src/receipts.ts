import type { TMessage, TReceiptEvent } from "@parley/protocol";
import type { MessageStatus } from "./engine-types";

type Watermark = { deliveredSeq: number; readSeq: number };

/**
 * The other members' delivered / read watermarks per dialog, from receipt pushes. They only move
 * forward: receipts from several clients of one user may arrive in any order.
 */
export class Receipts {
  private readonly byDialog = new Map<string, Map<string, Watermark>>();

  apply(event: TReceiptEvent): void {
    let marks = this.byDialog.get(event.dialogId);
    if (!marks) {
      marks = new Map();
      this.byDialog.set(event.dialogId, marks);
    }
    const previous = marks.get(event.userId) ?? { deliveredSeq: 0, readSeq: 0 };
    marks.set(event.userId, {
      deliveredSeq: Math.max(previous.deliveredSeq, event.deliveredSeq),
      readSeq: Math.max(previous.readSeq, event.readSeq),
    });
  }

  /** An own message's status: read once anyone else read it, delivered once anyone else got it. */
  statusOf(message: TMessage, viewerId: string): MessageStatus {
    let status: MessageStatus = "sent";
    for (const [userId, mark] of this.byDialog.get(message.dialogId) ?? []) {
      if (userId === viewerId) continue;
      if (mark.readSeq >= message.seq) return "read";
      if (mark.deliveredSeq >= message.seq) status = "delivered";
    }
    return status;
  }
}
