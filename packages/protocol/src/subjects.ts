/** NATS subjects: one per user (all of its clients), one per client for revocation. */
export const userSubject = (userId: string) => `chat.user.${userId}`;
export const clientRevokeSubject = (clientId: string) => `chat.client.${clientId}.revoke`;
export const CLIENT_REVOKE_WILDCARD = "chat.client.*.revoke";
/** Presence of one user, for gateways that hold sockets watching it. */
export const presenceSubject = (userId: string) => `chat.presence.${userId}`;
/**
 * Big groups (docs/design.md "Big groups"): a message is published once on the dialog's subject
 * instead of once per member; gateways subscribe it for the sockets whose realtime token lists the
 * dialog (`dlg` claim) and fan it out locally. The payload is the same message event JSON as on
 * `chat.user.<id>`. Only message events travel here; membership changes stay on user subjects.
 */
export const dialogSubject = (dialogId: string) => `chat.dialog.${dialogId}`;
