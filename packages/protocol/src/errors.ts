import { z } from "zod";

/**
 * The one error shape of Parley's services. Domain code (the UAA's AuthError, the API's AppError)
 * throws a ParleyError; the API maps it to a tRPC error by `code` alone, and a client reads `code`
 * and `details.reason` from the answer (never the message text, which is for people).
 *
 * Recognised by its `kind` brand, never by `instanceof`: `next dev` (and any bundler that evaluates
 * a package twice) can hand a route an error built by another copy of this module, and a class
 * check would then turn a refusal into a 500.
 */
export const PARLEY_ERROR_KIND = "parley.error";

export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
  "PRECONDITION_FAILED",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * `details.reason`: tells apart refusals that share a code where a client acts differently on them.
 * A tab whose refresh token merely lapsed opens a new client with the browser cookie; one whose token
 * was revoked or reused is signed out and must not come back by itself.
 */
export const ERROR_REASON = {
  WRONG_CREDENTIALS: "wrong_credentials",
  HANDLE_TAKEN: "handle_taken",
  SIGN_IN_REQUIRED: "sign_in_required",
  CROSS_SITE: "cross_site",
  ACCESS_TOKEN_EXPIRED: "access_token_expired",
  ACCESS_TOKEN_INVALID: "access_token_invalid",
  REFRESH_TOKEN_INVALID: "refresh_token_invalid",
  /** No such token: never issued, or deleted by the cleanup job a while after it lapsed. */
  REFRESH_TOKEN_UNKNOWN: "refresh_token_unknown",
  REFRESH_TOKEN_EXPIRED: "refresh_token_expired",
  REFRESH_TOKEN_REVOKED: "refresh_token_revoked",
  /** A spent token presented after the grace: treated as stolen, so its client was signed out. */
  REFRESH_TOKEN_REUSED: "refresh_token_reused",
  /** The calling client was revoked (signed out from another device, or by a reused token). */
  CLIENT_SIGNED_OUT: "client_signed_out",
  /** The browser session a tab belongs to was signed out. */
  BROWSER_SIGNED_OUT: "browser_signed_out",
  /** Tabs are opened with the browser's cookie session, not with a bearer token. */
  NOT_A_BROWSER_SESSION: "not_a_browser_session",
  /** A search without enough characters to search by (people: 3; messages: one word of 3). */
  SEARCH_QUERY_TOO_SHORT: "search_query_too_short",
  /** The message an edit, delete, reaction or reply names is not in the dialog (or not visible). */
  MESSAGE_NOT_FOUND: "message_not_found",
  /** The message was deleted for everyone: it takes no edit or reaction. */
  MESSAGE_DELETED: "message_deleted",
  /** Editing someone else's message, or deleting it without being a group's owner or admin. */
  NOT_ALLOWED: "not_allowed",
  /** A new emoji on a message that already carries the most distinct reactions allowed. */
  TOO_MANY_REACTIONS: "too_many_reactions",
} as const;
export type ErrorReason = (typeof ERROR_REASON)[keyof typeof ERROR_REASON];

export const ZErrorReason = z.enum(ERROR_REASON);

/** Machine-readable details safe to show a client (e.g. `{ expectedClientSeq: 4 }`, `{ reason }`). */
export type ErrorDetails = { reason?: ErrorReason; [key: string]: unknown };

export type ParleyErrorShape<C extends ErrorCode = ErrorCode> = {
  readonly kind: typeof PARLEY_ERROR_KIND;
  readonly code: C;
  readonly message: string;
  readonly details?: ErrorDetails;
};

export class ParleyError<C extends ErrorCode = ErrorCode> extends Error implements ParleyErrorShape<C> {
  readonly kind = PARLEY_ERROR_KIND;

  constructor(
    readonly code: C,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = "ParleyError";
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** True for a ParleyError from any copy of this module (or any realm): checked by shape, not class. */
export function isParleyError(value: unknown): value is ParleyErrorShape {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { kind?: unknown; code?: unknown; message?: unknown };
  return (
    candidate.kind === PARLEY_ERROR_KIND &&
    typeof candidate.code === "string" &&
    KNOWN_CODES.has(candidate.code) &&
    typeof candidate.message === "string"
  );
}

/** The reason code of an error answer's `details` (a tRPC error's `data.details`), if it names one. */
export function errorReasonOf(details: unknown): ErrorReason | null {
  if (typeof details !== "object" || details === null) return null;
  const parsed = ZErrorReason.safeParse((details as { reason?: unknown }).reason);
  return parsed.success ? parsed.data : null;
}
