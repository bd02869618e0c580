/**
 * Why an OIDC sign-in failed. The code travels to the sign-in page as `?error=<code>`; it names the
 * failed check and never carries token contents.
 */
export type OidcErrorCode =
  | "unknown_provider"
  | "provider_unavailable"
  | "provider_error"
  | "state_mismatch"
  | "flow_expired"
  | "code_rejected"
  | "id_token_missing"
  | "id_token_signature"
  | "id_token_expired"
  | "id_token_audience"
  | "id_token_issuer"
  | "id_token_invalid"
  | "nonce_mismatch"
  /** The user's budget of new clients (sign-ins) is spent for now. */
  | "too_many_requests";

export class OidcError extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "OidcError";
  }
}
