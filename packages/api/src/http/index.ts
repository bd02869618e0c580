export {
  limitRequestBody,
  MAX_BEACON_BODY_BYTES,
  MAX_FORM_BODY_BYTES,
  MAX_OIDC_BODY_BYTES,
  MAX_TRPC_BODY_BYTES,
} from "./body-limit";
export {
  apiSecurityHeaders,
  applySecurityHeaders,
  connectSources,
  pageSecurityHeaders,
  type SecurityHeaderOptions,
} from "./security-headers";
