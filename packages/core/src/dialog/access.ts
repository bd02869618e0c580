import type { Db } from "@parley/db";
import { getMember, type MemberRow } from "@parley/db/queries";
import { AppError } from "../errors";

/**
 * Only members see a dialog. A dialog one cannot see answers NOT_FOUND, never FORBIDDEN, so ids of
 * other people's dialogs leak nothing.
 */
export async function requireMember(db: Db, dialogId: string, userId: string): Promise<MemberRow> {
  const member = await getMember(db, dialogId, userId);
  if (!member) throw dialogNotFound();
  return member;
}

export function dialogNotFound(): AppError {
  return new AppError("NOT_FOUND", "dialog not found");
}

/** Who runs a group: the owner and admins add members, rename it and set its picture. */
export const canManageGroup = (role: string) => role === "owner" || role === "admin";
