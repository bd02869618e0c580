import { z } from "zod";
import { isWellFormedText, WELL_FORMED_TEXT_MESSAGE } from "./text";

export const MAX_TEXT_LENGTH = 4000;

/** Message text as a sender may send it (new messages and edits). */
export const ZMessageText = z
  .string()
  .refine(isWellFormedText, WELL_FORMED_TEXT_MESSAGE)
  .refine((text) => text.trim().length > 0, "text must not be empty")
  .refine(
    (text) => [...text].length <= MAX_TEXT_LENGTH,
    `text must be at most ${MAX_TEXT_LENGTH} characters`,
  );
