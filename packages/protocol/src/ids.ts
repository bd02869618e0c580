import { z } from "zod";

/** Snowflake and dialog ids travel as decimal strings: JSON numbers lose precision above 2^53. */
export const ZId = z.string().regex(/^[1-9]\d{0,19}$/, "must be a decimal id string");
export type TId = z.infer<typeof ZId>;

/** Per-dialog sequence numbers (0 = before the first message). */
export const ZSeq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
