/**
 * Most calls one tRPC HTTP request may batch. The server refuses larger batches (400), so one request
 * cannot fan out into unbounded work; every client link batches at most this many.
 */
export const MAX_TRPC_BATCH_SIZE = 20;
