import type { ChatApi, DialogChange } from "./api";
import type { EmitEngineEvent } from "./engine-types";
import type { ProfileVersions } from "./profile-versions";

/**
 * `groupInfo` events are core NATS pushes, never replayed: a push lost on a live socket, or never
 * published because the API died after the write, would leave an old title forever. Every catch-up
 * (each hello, resync, quiet check) reads dialog.changes, whose rows carry each dialog's title
 * version; a held group whose version is behind is read again (dialog.get) — only those, so a
 * catch-up with nothing renamed costs no read.
 */
export class GroupInfoRefresh {
  constructor(
    private readonly api: Pick<ChatApi, "groupInfo">,
    private readonly profiles: ProfileVersions,
    private readonly emit: EmitEngineEvent,
  ) {}

  async check(changes: readonly DialogChange[]): Promise<void> {
    const read = this.api.groupInfo;
    if (!read) return;
    const behind = changes.filter((change) => {
      const held = this.profiles.groupInfo(change.dialogId);
      return (
        held !== undefined && change.profileVersion !== undefined && change.profileVersion > held.version
      );
    });
    for (const { dialogId } of behind) {
      try {
        const info = await read({ dialogId });
        const held = this.profiles.groupInfo(dialogId);
        const event = {
          type: "groupInfo" as const,
          dialogId,
          title: info.title ?? "",
          avatarUrl: info.avatarUrl,
          version: info.profileVersion,
          byUserId: held?.byUserId ?? "",
        };
        if (this.profiles.applyGroupInfo(event)) this.emit("groupInfo", event);
      } catch (error) {
        // Not worth a retry loop: the next catch-up sees the version still behind and reads again.
        this.emit("error", { where: "group-info", error });
        return;
      }
    }
  }
}
