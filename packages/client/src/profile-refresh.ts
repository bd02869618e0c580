import type { ChatApi } from "./api";
import type { EmitEngineEvent } from "./engine-types";
import type { ProfileVersions } from "./profile-versions";

/** user.byIds takes at most this many ids per call. */
const PAGE = 100;

/**
 * After every (re)connect, reads again the profiles this engine holds: profile events are core NATS
 * pushes, never replayed, so a rename heard by nobody while this client was away shows up here. Only
 * newer versions are applied and announced (the same rule as pushes).
 */
export class ProfileRefresh {
  private running: Promise<void> | null = null;

  constructor(
    private readonly api: Pick<ChatApi, "profiles">,
    private readonly profiles: ProfileVersions,
    private readonly emit: EmitEngineEvent,
  ) {}

  run(): Promise<void> {
    this.running ??= this.refresh().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async refresh(): Promise<void> {
    const read = this.api.profiles;
    const ids = this.profiles.userIds();
    if (!read || ids.length === 0) return;
    for (let start = 0; start < ids.length; start += PAGE) {
      try {
        for (const profile of await read({ ids: ids.slice(start, start + PAGE) })) {
          const event = {
            type: "profile" as const,
            userId: profile.id,
            displayName: profile.displayName,
            avatarUrl: profile.avatarUrl,
            version: profile.version,
          };
          if (this.profiles.applyProfile(event)) this.emit("profile", event);
        }
      } catch (error) {
        // Names are not worth a retry loop: the next reconnect (or push) brings them.
        this.emit("error", { where: "profiles", error });
        return;
      }
    }
  }
}
