/**
 * The WebSocket token: an EdDSA (Ed25519) JWT minted by the API (private key) and verified by any
 * gateway with the public key alone. `sub` = user id, `cid` = client id, `dlg` = the big groups
 * (dialog ids, at most MAX_TOKEN_BIG_DIALOGS) the user belongs to at mint time: the gateway subscribes
 * their `chat.dialog.<id>` subjects for the socket, and an in-band refresh replaces the set.
 */
export const REALTIME_TOKEN_ISSUER = "parley";
export const REALTIME_TOKEN_AUDIENCE = "parley-realtime";
export const REALTIME_TOKEN_ALG = "EdDSA";
export const REALTIME_TOKEN_TTL_SECONDS = 60;
export const REALTIME_TOKEN_DIALOGS_CLAIM = "dlg";
