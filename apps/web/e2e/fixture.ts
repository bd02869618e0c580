/**
 * What the browser journeys share, so each journey file makes one call and then owns its people:
 * one production build and one stack per `bun test` run (worker, gateway, the web app and a real
 * OpenID provider on loopback), one Chromium per file. Every person a journey signs up is new, in
 * browser contexts of its own, so no journey depends on what another did or on the order they run.
 *
 * The stack outlives one file: e2e/preload.ts (bunfig.toml) stops it after the last file. A file run
 * without that preload stops it itself when it is done.
 */
import { afterAll, beforeAll } from "bun:test";
import { type OidcTestProvider, startOidcTestProvider } from "@parley/auth/testing";
import { readMetric } from "@parley/testkit/gateway";
import type { Browser } from "playwright-core";
import { DESKTOP, launchBrowser, openContext, signIn, signUp, type TrackedPage } from "./browser";
import { buildWebApp, type Stack, startStack } from "./stack";

export const PASSWORD = "correct horse battery staple";
/** The provider's name on the sign-in page ("Continue with Test IdP"). */
export const OIDC_PROVIDER_NAME = "Test IdP";

const PRELOADED = Symbol.for("parley.e2e.preloaded");
type Viewport = typeof DESKTOP;

export type Person = TrackedPage & { handle: string; displayName: string };

export type Journey = {
  readonly stack: Stack;
  readonly browser: Browser;
  /** A unique suffix of this run and file, for handles and titles. */
  readonly run: string;
  /** Signs a new person up in a context of their own; `displayName` also seeds the handle. */
  signUp: (displayName: string, viewport?: Viewport) => Promise<Person>;
  /** Another browser (or device) of `person`, signed in: a context of its own. */
  signIn: (person: { handle: string }, viewport?: Viewport) => Promise<TrackedPage>;
  /** A signed-out context. */
  newContext: (viewport?: Viewport) => Promise<TrackedPage>;
  /** A counter or gauge from the gateway's /metrics. */
  gatewayMetric: (name: string) => Promise<number>;
};

/** Registers the file's beforeAll / afterAll and hands out its browser, stack and people. */
export function useJourney(): Journey {
  let browser: Browser | null = null;
  let stack: Stack | null = null;
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  let people = 0;

  beforeAll(async () => {
    // Fail fast, naming what is missing: the browser first, then MariaDB / NATS / Redis in startStack.
    browser = await launchBrowser();
    stack = await sharedStack();
  }, 600_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (!(globalThis as Record<symbol, unknown>)[PRELOADED]) await stopSharedStack();
  });

  const live = () => {
    if (!browser || !stack) throw new Error("the journey fixture is read before its beforeAll ran");
    return { browser, stack };
  };
  const newContext = (viewport: Viewport = DESKTOP) =>
    openContext(live().browser, live().stack.appUrl, viewport);

  return {
    get stack() {
      return live().stack;
    },
    get browser() {
      return live().browser;
    },
    run,
    newContext,
    async signUp(displayName, viewport) {
      const handle = `${displayName.split(" ")[0]?.toLowerCase() ?? "p"}${run}${people++}`;
      const tracked = await newContext(viewport);
      await signUp(tracked.page, handle, displayName, PASSWORD);
      return { ...tracked, handle, displayName };
    },
    async signIn(person, viewport) {
      const tracked = await newContext(viewport);
      await signIn(tracked.page, person.handle, PASSWORD);
      return tracked;
    },
    gatewayMetric: (name) => readMetric({ metricsUrl: live().stack.realtimeMetricsUrl }, name),
  };
}

type SharedStack = { stack: Stack; stop: () => Promise<void> };
let shared: Promise<SharedStack> | null = null;

/** The run's stack, started on first use: every journey signs up people of its own on it. */
function sharedStack(): Promise<Stack> {
  shared ??= startSharedStack().catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared.then(({ stack }) => stack);
}

async function startSharedStack(): Promise<SharedStack> {
  await buildWebApp();
  let oidc: OidcTestProvider | undefined;
  const stack = await startStack(async ({ appUrl }) => {
    // A real OpenID provider on loopback (the auth package's test helper), configured like any other.
    const client = {
      clientId: "parley-web",
      clientSecret: "test-secret-for-the-e2e-provider",
      redirectUri: `${appUrl}/api/auth/oidc/testidp/callback`,
    };
    oidc = await startOidcTestProvider([client]);
    const providers = [{ id: "testidp", name: OIDC_PROVIDER_NAME, issuer: oidc.issuer, ...client }];
    return { OIDC_PROVIDERS: JSON.stringify(providers.map(({ redirectUri: _, ...provider }) => provider)) };
  }).catch(async (error: unknown) => {
    await oidc?.close();
    throw error;
  });
  return {
    stack,
    async stop() {
      await stack.stop();
      await oidc?.close();
    },
  };
}

/** Stops the run's stack if one was started (the preload calls it after the last file). */
export async function stopSharedStack(): Promise<void> {
  const started = await shared?.catch(() => null);
  shared = null;
  await started?.stop();
}

/** Called by e2e/preload.ts: the stack then lives until the run ends, not the file. */
export function markPreloaded(): void {
  (globalThis as Record<symbol, unknown>)[PRELOADED] = true;
}
