import { PASSWORD_MIN_LENGTH, ZHandle } from "@parley/auth";
import type { FormErrors } from "~/lib/errors";
import { asSentence, issueSentence, serverSentence } from "~/lib/sentences";

/**
 * Why a form post (made without JavaScript) was refused, as it travels in the redirect back to the
 * form: fixed codes only. The page turns them into sentences, so a crafted link can never make the
 * page say something of its choosing.
 */
export type FormProblem =
  | { reason: "invalid"; field: string; kind: "empty" | "too_short" | "too_long" | "invalid" }
  | { reason: "credentials" | "taken" | "busy" | "cross_site" | "server" };

const REASONS = new Set(["invalid", "credentials", "taken", "busy", "cross_site", "server"]);
const FIELDS = new Set(["handle", "password", "displayName"]);
const KINDS = new Set(["empty", "too_short", "too_long", "invalid"]);
const MAX_HANDLE_ECHO = 64;

export function problemQuery(problem: FormProblem, handle: string): string {
  const query = new URLSearchParams({ problem: problem.reason });
  if (problem.reason === "invalid") {
    query.set("field", problem.field);
    query.set("kind", problem.kind);
  }
  if (handle) query.set("handle", handle.slice(0, MAX_HANDLE_ECHO));
  return query.toString();
}

const REASON_SENTENCES: Record<string, string> = {
  credentials: serverSentence("wrong handle or password"),
  taken: serverSentence("this handle is taken"),
  busy: serverSentence("", "TOO_MANY_REQUESTS"),
  cross_site: serverSentence("cross-site request refused"),
  server: serverSentence("", "INTERNAL_SERVER_ERROR"),
};

function invalidSentence(field: string, kind: string, handle: string): string {
  if (kind === "empty") return issueSentence(field, {}, "");
  if (field === "password" && kind === "too_short") {
    return `Your password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  }
  if (field === "handle") {
    // The handle came back in the URL: check it again to say exactly what is wrong with it.
    const issue = ZHandle.safeParse(handle).error?.issues[0];
    if (issue) return issueSentence("handle", issue, handle);
  }
  return asSentence(issueSentence(field, { code: kind === "too_long" ? "too_big" : "invalid" }, "x"));
}

type SearchParams = Record<string, string | string[] | undefined>;

/** The form's errors and kept handle from a redirect's query, or nothing when there was no problem. */
export function readProblem(params: SearchParams): { errors: FormErrors; handle: string } | null {
  const one = (key: string) => {
    const value = params[key];
    return typeof value === "string" ? value : "";
  };
  const reason = one("problem");
  if (!REASONS.has(reason)) return null;
  const handle = one("handle").slice(0, MAX_HANDLE_ECHO);
  if (reason === "invalid") {
    const field = FIELDS.has(one("field")) ? one("field") : "handle";
    const kind = KINDS.has(one("kind")) ? one("kind") : "invalid";
    return { errors: { form: null, fields: { [field]: invalidSentence(field, kind, handle) } }, handle };
  }
  return { errors: { form: REASON_SENTENCES[reason] ?? null, fields: {} }, handle };
}
