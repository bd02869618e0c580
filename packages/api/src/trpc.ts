import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Context } from "./context";
import { AppError } from "./errors";

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Never leak stack traces or driver errors to clients.
        stack: undefined,
        zodIssues: cause instanceof ZodError ? cause.issues : undefined,
        details: cause instanceof AppError ? cause.details : undefined,
      },
    };
  },
});

/** Maps domain errors to tRPC codes; anything unknown becomes an opaque INTERNAL_SERVER_ERROR. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof ZodError)) {
      console.error("[api] internal error:", result.error.cause ?? result.error);
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "internal error" });
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
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const viewer = ctx.viewer;
  if (!viewer) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in required" });
  if (await ctx.services.isClientRevoked(viewer)) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "this client was signed out" });
  }
  return next({
    ctx: { ...ctx, viewer, user: { id: viewer.userId }, client: { id: viewer.clientId } },
  });
});
