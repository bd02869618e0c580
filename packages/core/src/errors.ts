import { type ErrorCode, type ErrorDetails, ParleyError } from "@parley/protocol";

/**
 * Domain code throws AppError (Parley's one error shape, shared with the UAA's AuthError); the tRPC
 * layer maps it by `code` (trpc-errors.ts). Raw database errors never reach a client: anything that
 * is not a ParleyError becomes an opaque INTERNAL_SERVER_ERROR.
 */
export type AppErrorCode = ErrorCode;

export class AppError extends ParleyError {
  constructor(code: AppErrorCode, message: string, details?: ErrorDetails) {
    super(code, message, details);
    this.name = "AppError";
  }
}
