import { type ErrorCode, type ErrorDetails, ParleyError } from "@parley/protocol";

/**
 * Errors the UAA raises: Parley's one error shape (recognised by its brand and code, never by class),
 * limited to the codes a sign-in, token or session check can answer. Messages are safe to show a
 * client and never contain a secret; `details.reason` tells apart refusals a client acts on.
 */
export type AuthErrorCode = Extract<
  ErrorCode,
  "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "TOO_MANY_REQUESTS"
>;

export class AuthError extends ParleyError<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string, details?: ErrorDetails) {
    super(code, message, details);
    this.name = "AuthError";
  }
}
