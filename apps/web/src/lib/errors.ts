import { TRPCClientError } from "@trpc/client";
import { type IssueLike, issueSentence, serverSentence } from "./sentences";

export type FormErrors = { form: string | null; fields: Record<string, string> };

type ZodIssueLike = IssueLike & { path?: (string | number)[] };

/** An error whose message was written for the person using the app (e.g. an unknown handle). */
export class UserFacingError extends Error {
  readonly userFacing = true;
}

const isUserFacing = (error: unknown): error is Error =>
  error instanceof Error && (error as { userFacing?: unknown }).userFacing === true;

/**
 * Turns a tRPC error into something a form can show: a sentence per field from zod issues, one
 * sentence otherwise. Server messages are already safe (the API never sends stacks or driver
 * errors); anything unexpected becomes a generic sentence rather than a dump.
 */
export function toFormErrors(error: unknown): FormErrors {
  if (isUserFacing(error)) return { form: error.message, fields: {} };
  if (!(error instanceof TRPCClientError)) {
    return { form: "Could not reach the server. Check your connection and try again.", fields: {} };
  }
  const data = error.data as { code?: string; zodIssues?: ZodIssueLike[] } | undefined;
  const fields: Record<string, string> = {};
  for (const issue of data?.zodIssues ?? []) {
    const field = issue.path?.[0];
    if (typeof field === "string" && !fields[field]) fields[field] = issueSentence(field, issue);
  }
  if (Object.keys(fields).length > 0) return { form: null, fields };
  return { form: serverSentence(error.message, data?.code), fields };
}

export function errorMessage(error: unknown): string {
  const { form, fields } = toFormErrors(error);
  return form ?? Object.values(fields)[0] ?? "The request failed.";
}
