/**
 * The WebSocket token: an EdDSA (Ed25519) JWT minted by the API (private key) and verified by any
 * gateway with the public key alone. `sub` = user id, `cid` = client id.
 */
export const REALTIME_TOKEN_ISSUER = "parley";
export const REALTIME_TOKEN_AUDIENCE = "parley-realtime";
export const REALTIME_TOKEN_ALG = "EdDSA";
export const REALTIME_TOKEN_TTL_SECONDS = 60;
