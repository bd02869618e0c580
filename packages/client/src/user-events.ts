import type { TMessage, TUserEvent } from "@parley/protocol";
import type { DialogTimeline } from "./dialog-timeline";
import type { EmitEngineEvent } from "./engine-types";
import type { ProfileVersions } from "./profile-versions";
import type { Receipts } from "./receipts";

export type UserEventTargets = {
  timeline: (dialogId: string) => DialogTimeline;
  onConfirmed: (dialogId: string, messages: readonly TMessage[]) => void;
  /** A push arrived ahead of a missing one. */
  gapSeen: (dialogId: string) => void;
  sync: (dialogId: string) => void;
  joinBigGroup: (dialogId: string) => void;
  /** Whether this socket already hears the big group's own subject. */
  hearsBigDialog: (dialogId: string) => boolean;
  receipts: Receipts;
  profiles: ProfileVersions;
  emit: EmitEngineEvent;
};

/** One pushed event, applied: messages only when contiguous, the rest passed on to listeners. */
export function applyUserEvent(event: TUserEvent, to: UserEventTargets): void {
  switch (event.type) {
    case "message": {
      const timeline = to.timeline(event.dialogId);
      const result = timeline.applyPush(event);
      if (result === "applied") to.onConfirmed(event.dialogId, [event.message, ...timeline.drainEarly()]);
      else if (result === "gap") to.gapSeen(event.dialogId);
      return;
    }
    case "receipt":
      to.receipts.apply(event);
      to.emit("receipt", event);
      return;
    case "dialog": {
      const timeline = to.timeline(event.dialogId);
      timeline.serverLastSeq = Math.max(timeline.serverLastSeq, event.lastSeq);
      // "joined" always refreshes (a gateway ignores a listed dialog after "left" until a fresh
      // token); "updated" only when this socket does not hear the dialog yet — every membership
      // change of a big group says "updated", and a refresh per member per change is a storm.
      if (
        event.big === true &&
        (event.change === "joined" || (event.change === "updated" && !to.hearsBigDialog(event.dialogId)))
      ) {
        to.joinBigGroup(event.dialogId);
      } else if (timeline.isBehind()) to.sync(event.dialogId);
      to.emit("dialog", event);
      return;
    }
    case "typing":
      to.emit("typing", event);
      return;
    case "presence":
      to.emit("presence", event);
      return;
    // Names and avatars: only a newer version is passed on (events may repeat or arrive reordered).
    case "profile":
      if (to.profiles.applyProfile(event)) to.emit("profile", event);
      return;
    case "groupInfo":
      if (to.profiles.applyGroupInfo(event)) to.emit("groupInfo", event);
      return;
  }
}
