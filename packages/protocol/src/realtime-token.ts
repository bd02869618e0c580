import { z } from "zod";
import { ZId } from "./ids";
import { MAX_TOKEN_BIG_DIALOGS } from "./limits";

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
/** The `dlg` claim: absent = no big groups; bounded, so one token cannot subscribe without limit. */
export const ZRealtimeDialogsClaim = z.array(ZId).max(MAX_TOKEN_BIG_DIALOGS).optional();

/**
 * The big dialogs a realtime token lists, read WITHOUT verifying it: for the client that holds the
 * token (to know which dialogs its socket hears), never for a decision a gateway or API makes.
 */
export function unverifiedTokenDialogIds(token: string): string[] {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed = ZRealtimeDialogsClaim.safeParse(
      (JSON.parse(json) as Record<string, unknown>)[REALTIME_TOKEN_DIALOGS_CLAIM],
    );
    return parsed.success ? (parsed.data ?? []) : [];
  } catch {
    return [];
  }
}
