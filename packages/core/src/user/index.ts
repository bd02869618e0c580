export { mintPresenceTicket } from "./presence-ticket";
export { listProfiles } from "./profiles";
export { mintRealtimeToken } from "./realtime-token";
