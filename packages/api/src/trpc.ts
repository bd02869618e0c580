import { AppError } from "@parley/core";
import { ERROR_REASON } from "@parley/protocol";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Context } from "./context";
import { domainErrorOf, toTRPCError } from "./trpc-errors";

const INTERNAL_MESSAGE = "internal error";

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const domain = domainErrorOf(error);
    // INTERNAL errors are opaque wherever they were raised — in a procedure, in createContext (e.g.
    // the database failing while a session cookie is checked) or in output validation — unless a
    // domain error chose the message. Driver messages carry SQL and values.
    const opaque = error.code === "INTERNAL_SERVER_ERROR" && !domain;
    return {
      ...shape,
      message: opaque ? INTERNAL_MESSAGE : shape.message,
      data: {
        ...shape.data,
        // Never leak stack traces or driver errors to clients.
        stack: undefined,
        // Input issues only: an output validation failure is ours, not the client's.
        zodIssues: error.code === "BAD_REQUEST" && cause instanceof ZodError ? cause.issues : undefined,
        details: domain?.details,
      },
    };
  },
});

/**
 * What of an unexpected error may go to the logs. A failed query's message, `params` and the driver's
 * `sql` carry the statement's values (password hashes, token hashes, e-mail addresses): log the
 * statement text with its placeholders and the driver's error code instead.
 */
export function loggable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const query = (error as { query?: unknown }).query;
  if (typeof query !== "string") return error;
  const cause = error.cause as { code?: unknown; errno?: unknown } | undefined;
  return {
    name: error.name,
    query,
    code: cause?.code,
    errno: cause?.errno,
    // Frames only: the stack's first lines repeat the message, values included.
    stack: error.stack
      ?.split("\n")
      .filter((line) => line.trimStart().startsWith("at "))
      .slice(0, 8)
      .join("\n"),
  };
}

/**
 * Maps domain errors (thrown by a procedure or by a later middleware) to tRPC codes; anything unknown
 * becomes an opaque INTERNAL_SERVER_ERROR.
 */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      console.error("[api] internal error:", loggable(result.error.cause ?? result.error));
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE });
    }
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

export const publicProcedure = t.procedure.use(mapErrors);

/**
 * Authenticated and not revoked. Gives `ctx.user` and `ctx.client`; authorisation per dialog is
 * checked inside the domain services (a user touches only dialogs it belongs to).
 *
 * A cookie is ambient, so every cookie-authenticated *mutation* must also come from our own origin
 * with no exemption for navigations (createContext lets a top-level navigation through for reads;
 * a same-site `<form method=post>` is a navigation too, and tRPC accepts multipart bodies).
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next, type }) => {
  const viewer = ctx.viewer;
  if (!viewer) {
    throw new AppError("UNAUTHORIZED", "sign in required", { reason: ERROR_REASON.SIGN_IN_REQUIRED });
  }
  // Throws the UAA's FORBIDDEN; mapErrors (the outer middleware) maps it like any domain error.
  if (type === "mutation" && viewer.via === "cookie") ctx.services.auth.assertSameOrigin(ctx.req.headers);
  if (await ctx.services.isClientRevoked(viewer)) {
    throw new AppError("UNAUTHORIZED", "this client was signed out", {
      reason: ERROR_REASON.CLIENT_SIGNED_OUT,
    });
  }
  return next({
    ctx: { ...ctx, viewer, user: { id: viewer.userId }, client: { id: viewer.clientId } },
  });
});
