export { clientIpFrom } from "./client-ip";
export {
  SESSION_COOKIE_NAME,
  type SignInMode,
  type SignInResult,
  type TabSession,
  type TokenPair,
} from "./client-session";
export type { ClientInfo, ClientKind } from "./clients";
export {
  type AuthConfig,
  DEFAULT_NEW_CLIENT_RATE_LIMIT,
  DEFAULT_OIDC_START_RATE_LIMIT,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SIGN_UP_RATE_LIMIT,
  DEFAULT_TAB_RATE_LIMIT,
  type NewClientRateLimitConfig,
  type OidcProviderConfig,
  type OidcStartRateLimitConfig,
  type RateLimitConfig,
  type SignUpRateLimitConfig,
  type TabRateLimitConfig,
  ZOidcProviderConfig,
} from "./config";
export { isCrossSiteRequest, isCrossSiteWrite } from "./cross-site";
export type { AuthDeps } from "./deps";
export { readAuthEnv } from "./env";
export { AuthError, type AuthErrorCode } from "./errors";
export { takeWindowBudgets, type WindowBudget, type WindowVerdict, windowKey } from "./fixed-window";
export { generateEd25519PemPair, generateSecret, type PemKeyPair } from "./generate-keys";
export {
  INVISIBLE_OR_CONTROL,
  normaliseHandle,
  stripInvisible,
  ZDisplayName,
  ZHandle,
  ZVisibleName,
} from "./handle";
export { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "./jwt";
export type { OidcErrorCode } from "./oidc/errors";
export type { OidcHandler } from "./oidc/handlers";
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ZPassword } from "./password";
export {
  checkRealtimeToken,
  importRealtimePublicKey,
  type RealtimeTokenCheck,
  type RealtimeTokenClaims,
  type RealtimeTokenKey,
  type RealtimeTokenRefusal,
  type VerifiedRealtimeToken,
  verifyRealtimeToken,
} from "./realtime-token";
export {
  normaliseSearchText,
  parsePeopleQuery,
  reindexUserForSearch,
  SEARCH_PREFIX_LENGTH,
  userSearchTermsOf,
} from "./search-terms";
export { type AuthService, createAuthService, type SignInRequest } from "./service";
export type { PublicUser } from "./users";
export type { Viewer, ViewerRequest } from "./viewer";
