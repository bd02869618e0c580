import { ZVisibleName } from "@parley/auth";
import {
  DEFAULT_PAGE_SIZE,
  MAX_GROUP_MEMBERS,
  MAX_MEMBERS_PER_CHANGE,
  MAX_PAGE_SIZE,
} from "@parley/core/limits";
import { ZId, ZSendContent } from "@parley/protocol";
import { z } from "zod";

const UINT64_LIMIT = 1n << 64n;

/** A decimal id that fits BIGINT UNSIGNED (ZId alone admits 20-digit values past 2^64). */
export const ZDbId = ZId.refine((value) => BigInt(value) < UINT64_LIMIT, "id out of range");

const ZPositiveSeq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const ZSeqOrZero = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ZLimit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);

export const ZSendMessageInput = z.object({
  dialogId: ZDbId,
  /** Client-chosen, unique per client forever (a UUID or ULID): the send-once key. */
  clientMsgId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/, "clientMsgId: letters, digits and . _ : - only"),
  /** 1, 2, 3… per (dialog, client): the sender's order. */
  clientSeq: ZPositiveSeq,
  content: ZSendContent,
});
export type TSendMessageInput = z.infer<typeof ZSendMessageInput>;

export const ZSendAck = z.object({ msgId: ZId, seq: ZPositiveSeq, createdAt: z.number().int() });

export const ZDialogIdInput = z.object({ dialogId: ZDbId });
export const ZOpenDirectInput = z.object({ userId: ZDbId });
export const ZCreateGroupInput = z.object({
  title: ZVisibleName("title", 128),
  memberIds: z.array(ZDbId).max(MAX_GROUP_MEMBERS - 1),
});
export const ZAddMembersInput = z.object({
  dialogId: ZDbId,
  userIds: z.array(ZDbId).min(1).max(MAX_MEMBERS_PER_CHANGE),
});
export const ZRemoveMemberInput = z.object({ dialogId: ZDbId, userId: ZDbId });
export const ZListDialogsInput = z
  .object({ cursor: z.string().max(64).nullish(), limit: ZLimit })
  .default({ limit: DEFAULT_PAGE_SIZE });
export const ZSyncInput = z.object({ dialogId: ZDbId, afterSeq: ZSeqOrZero, limit: ZLimit });
export const ZHistoryInput = z.object({ dialogId: ZDbId, beforeSeq: ZPositiveSeq.nullish(), limit: ZLimit });
/** dialog.changes: no input (or no cursor) is the first page; `cursor` is a previous nextCursor. */
export const ZChangesInput = z.object({ cursor: ZDbId.nullish() }).optional();
export const ZMarkInput = z.object({ dialogId: ZDbId, seq: ZSeqOrZero });
