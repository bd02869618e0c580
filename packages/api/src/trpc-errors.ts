import { isParleyError, type ParleyErrorShape } from "@parley/protocol";
import { TRPCError } from "@trpc/server";

/**
 * The one place a domain error (the API's AppError, the UAA's AuthError) becomes a tRPC error: the
 * tRPC code is the error's own code, and the message and details go to the client as they are.
 * Recognised by shape (isParleyError), so an error built by another copy of a package still maps.
 * Returns null for anything else: the caller decides (an unknown error is an opaque 500).
 */
export function toTRPCError(error: unknown): TRPCError | null {
  if (!isParleyError(error)) return null;
  return new TRPCError({ code: error.code, message: error.message, cause: error });
}

/** The domain error behind a tRPC error, if there is one (its message and details may be shown). */
export function domainErrorOf(error: TRPCError): ParleyErrorShape | null {
  return isParleyError(error.cause) ? error.cause : null;
}
