import { schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { securityFixture } from "./security-harness";

/**
 * The cast of the input and group-role tests, set up once per test file (top-level await): an owner,
 * an admin and two members in one group, the owner and a member in a direct dialog, an outsider in
 * neither; and the two database reads and writes the role tests need.
 */
export async function groupCastFixture(label: string) {
  const h = await securityFixture(label);

  async function setRole(dialogId: string, userId: string, role: "owner" | "admin" | "member") {
    await h.testDb.db
      .update(schema.dialogMembers)
      .set({ role })
      .where(and(eq(schema.dialogMembers.dialogId, dialogId), eq(schema.dialogMembers.userId, userId)));
  }

  async function memberIds(dialogId: string): Promise<string[]> {
    const rows = await h.testDb.db
      .select({ userId: schema.dialogMembers.userId })
      .from(schema.dialogMembers)
      .where(eq(schema.dialogMembers.dialogId, dialogId));
    return rows.map((row) => row.userId).sort();
  }

  const owner = await h.user("owner1");
  const admin = await h.user("admin1");
  const member = await h.user("member1");
  const other = await h.user("other1");
  const outsider = await h.user("outsider1");
  const groupId = (
    await owner.call.dialog.createGroup({
      title: "roles",
      memberIds: [admin.userId, member.userId, other.userId],
    })
  ).id;
  await setRole(groupId, admin.userId, "admin");
  const directId = (await owner.call.dialog.openDirect({ userId: member.userId })).id;
  return { h, owner, admin, member, other, outsider, groupId, directId, setRole, memberIds };
}
