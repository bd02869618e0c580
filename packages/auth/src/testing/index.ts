/** Test helpers (imported by tests only): a real OIDC provider, a cookie-jar browser, test config. */
export { createTestBrowser, type NavigationResult, type TestBrowser } from "./browser";
export { createTestAuthConfig, createTestAuthEnv, createTestIds } from "./config";
export { captureConsole } from "./console-capture";
export { connectTestPublisher } from "./nats";
export { type OidcTestClient, type OidcTestProvider, startOidcTestProvider } from "./oidc-test-provider";
export { signTestAccessToken } from "./tokens";
