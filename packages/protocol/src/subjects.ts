/** NATS subjects: one per user (all of its clients), one per client for revocation. */
export const userSubject = (userId: string) => `chat.user.${userId}`;
export const clientRevokeSubject = (clientId: string) => `chat.client.${clientId}.revoke`;
export const CLIENT_REVOKE_WILDCARD = "chat.client.*.revoke";
/** Presence of one user, for gateways that hold sockets watching it. */
export const presenceSubject = (userId: string) => `chat.presence.${userId}`;
