/**
 * Domain code throws AppError; the tRPC error formatter maps `code` to a TRPCError code. Raw database
 * errors never reach a client: anything that is not an AppError becomes INTERNAL_SERVER_ERROR.
 */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "PRECONDITION_FAILED"
  | "INTERNAL_SERVER_ERROR";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Machine-readable details safe to show a client (e.g. `{ expectedClientSeq: 4 }`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}
