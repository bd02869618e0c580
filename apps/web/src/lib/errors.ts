import { TRPCClientError } from "@trpc/client";

export type FormErrors = { form: string | null; fields: Record<string, string> };

type ZodIssueLike = { path?: (string | number)[]; message?: string };

/**
 * Turns a tRPC error into something a form can show: field messages from zod issues, one line
 * otherwise. Server messages are already safe (the API never sends stacks or driver errors), and
 * anything unexpected becomes a generic sentence rather than a dump.
 */
export function toFormErrors(error: unknown): FormErrors {
  if (!(error instanceof TRPCClientError)) {
    return { form: "Could not reach the server. Check your connection and try again.", fields: {} };
  }
  const data = error.data as { code?: string; zodIssues?: ZodIssueLike[] } | undefined;
  const fields: Record<string, string> = {};
  for (const issue of data?.zodIssues ?? []) {
    const field = issue.path?.[0];
    if (typeof field === "string" && issue.message && !fields[field]) fields[field] = issue.message;
  }
  if (Object.keys(fields).length > 0) return { form: null, fields };
  if (data?.code === "INTERNAL_SERVER_ERROR") {
    return { form: "Something went wrong on our side. Please try again.", fields };
  }
  return { form: error.message || "Request failed.", fields };
}

export function errorMessage(error: unknown): string {
  const { form, fields } = toFormErrors(error);
  return form ?? Object.values(fields)[0] ?? "Request failed.";
}
