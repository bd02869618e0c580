/**
 * `next dev` can evaluate a package twice: the services cached on globalThis were built by one copy of
 * @parley/auth while a freshly compiled route bundle carries another. An error class from one copy is
 * not `instanceof` the other's, so refusals must be recognised by their code. Here the real UAA runs
 * against the real database, and every error it throws is handed over as an instance of a second copy
 * of its errors module (Bun evaluates a module again under a different query string).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import type { AuthService } from "@parley/auth";
import { ERROR_REASON } from "@parley/protocol";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { assembleApiServices } from "../assemble-services";
import { type ApiServices, createContext } from "../context";
import { appRouter } from "../root";
import { authFixture } from "./auth-harness";

type AuthErrorsModule = typeof import("@parley/auth");
type ErrorFields = { code: "UNAUTHORIZED"; message: string; details?: Record<string, unknown> };

let services: ApiServices;
let secondCopy: AuthErrorsModule["AuthError"];

/** The same UAA, but what it throws comes from the second module copy. */
function throwingSecondCopyErrors(auth: AuthService): AuthService {
  const recreate = (error: unknown) => {
    if (!(error instanceof Error) || !("code" in error)) return error;
    const { code, message, details } = error as unknown as ErrorFields;
    return new secondCopy(code, message, details);
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(auth) as [string, unknown][]) {
    if (typeof value !== "function") {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      try {
        const result: unknown = (value as (...params: unknown[]) => unknown)(...args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            throw recreate(error);
          });
        }
        return result;
      } catch (error) {
        throw recreate(error);
      }
    };
  }
  return wrapped as AuthService;
}

const h = await authFixture("errcopies");

beforeAll(async () => {
  // A file path (not a file: URL, whose query Bun ignores) with a query string is a new module instance.
  const errorsModule = fileURLToPath(new URL("./errors.ts", import.meta.resolve("@parley/auth")));
  const copy = (await import(`${errorsModule}?second-copy`)) as AuthErrorsModule;
  secondCopy = copy.AuthError;
  const base = { db: h.testDb.db, redis: h.redis, events: h.nats.events, ids: { nextId: () => "0" } };
  services = assembleApiServices(base, throwingSecondCopyErrors(h.auth), {
    messaging: h.services.messaging,
  });
});

/** One tRPC call over the real fetch adapter, as the web app's route handler makes it. */
async function post(path: string, input: unknown, headers: Record<string, string> = {}) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`${h.baseUrl}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(input),
    }),
    router: appRouter,
    createContext: ({ req, resHeaders }) =>
      createContext(services, { headers: req.headers, ip: "127.0.0.1" }, resHeaders),
  });
  const body = (await response.json()) as {
    error?: { message: string; data: { code: string; details?: Record<string, unknown> } };
  };
  return { status: response.status, error: body.error };
}

describe("UAA refusals thrown by another copy of the module", () => {
  test("the second copy really is a different class", async () => {
    const { AuthError } = await import("@parley/auth");
    expect(new secondCopy("UNAUTHORIZED", "x")).not.toBeInstanceOf(AuthError);
  });

  test("a wrong password is 401 UNAUTHORIZED with its message, not a 500", async () => {
    await h.signUpWithTokens("copy_alice", "correct horse battery");
    const { status, error } = await post("auth.signIn", {
      handle: "copy_alice",
      password: "wrong horse battery",
      mode: "token",
    });
    expect(error?.data.code).toBe("UNAUTHORIZED");
    expect(error?.message).toBe("wrong handle or password");
    expect(error?.data.details?.reason).toBe(ERROR_REASON.WRONG_CREDENTIALS);
    expect(status).toBe(401);
  });

  test("a taken handle at sign-up is 409 CONFLICT, not a 500", async () => {
    const { status, error } = await post("auth.signUp", {
      handle: "copy_alice",
      displayName: "Impostor",
      password: "another password 1",
      mode: "token",
    });
    expect(error?.data.code).toBe("CONFLICT");
    expect(error?.message).toBe("this handle is taken");
    expect(error?.data.details?.reason).toBe(ERROR_REASON.HANDLE_TAKEN);
    expect(status).toBe(409);
  });

  test("a bad bearer token (refused while the context is built) is 401, not a 500", async () => {
    const { status, error } = await post("auth.signOut", {}, { authorization: "Bearer not-a-token" });
    expect(error?.data.code).toBe("UNAUTHORIZED");
    expect(error?.data.details?.reason).toBe(ERROR_REASON.ACCESS_TOKEN_INVALID);
    expect(status).toBe(401);
  });

  test("a cross-site cookie mutation is 403 FORBIDDEN, not a 500", async () => {
    const signedIn = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`${h.baseUrl}/api/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: h.baseUrl },
        body: JSON.stringify({ handle: "copy_alice", password: "correct horse battery", mode: "cookie" }),
      }),
      router: appRouter,
      createContext: ({ req, resHeaders }) =>
        createContext(services, { headers: req.headers, ip: "127.0.0.1" }, resHeaders),
    });
    const cookie = signedIn.headers.get("set-cookie")?.split(";")[0];
    expect(cookie).toBeTruthy();
    const { status, error } = await post(
      "auth.signOut",
      {},
      { cookie: cookie ?? "", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    );
    expect(error?.data.code).toBe("FORBIDDEN");
    expect(error?.data.details?.reason).toBe(ERROR_REASON.CROSS_SITE);
    expect(status).toBe(403);
  });

  test("a refused refresh keeps its code and its reason", async () => {
    const { status, error } = await post("auth.refresh", { refreshToken: "not-a-refresh-token" });
    expect(error?.data.code).toBe("UNAUTHORIZED");
    expect(error?.message).toBe("invalid refresh token");
    expect(error?.data.details?.reason).toBe(ERROR_REASON.REFRESH_TOKEN_INVALID);
    expect(status).toBe(401);
  });
});
