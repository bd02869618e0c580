export { avatarUrlOf } from "./avatar-url";
export { findUserByHandle } from "./by-handle";
export { listLastSeen } from "./last-seen";
export { mintPresenceTicket } from "./presence-ticket";
export { updateOwnProfile } from "./profile-update";
export { listProfiles, type PublicProfile } from "./profiles";
export { mintRealtimeToken } from "./realtime-token";
