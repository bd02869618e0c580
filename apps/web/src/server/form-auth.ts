import { type ApiServices, ZSignInInput, ZSignUpInput } from "@parley/api";
import { limitRequestBody, MAX_FORM_BODY_BYTES } from "@parley/api/http";
import type { SignInResult } from "@parley/auth";
import { describeBrowser } from "~/lib/client-name";
import { clientIp } from "./client-ip";
import { type FormProblem, problemQuery } from "./form-problems";
import { getApiServices } from "./services";

export type AuthFormMode = "sign-in" | "sign-up";

const PAGE: Record<AuthFormMode, string> = { "sign-in": "/sign-in", "sign-up": "/sign-up" };
const FIELDS = new Set(["handle", "password", "displayName"]);

/** 303: the browser follows with a GET, so a reload never posts the password again. */
function seeOther(location: string, setCookie?: string): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  if (setCookie) headers.append("set-cookie", setCookie);
  return new Response(null, { status: 303, headers });
}

/** Refusals are recognised by their code field, never by class (module copies, see PITFALLS). */
function problemOf(error: unknown): FormProblem {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === "UNAUTHORIZED") return { reason: "credentials" };
  if (code === "CONFLICT") return { reason: "taken" };
  if (code === "TOO_MANY_REQUESTS") return { reason: "busy" };
  if (code === "FORBIDDEN") return { reason: "cross_site" };
  return { reason: "server" };
}

/**
 * The password forms without JavaScript: a submit that happens before the page is live (slow
 * network, blocked script) posts here. Signs in or up exactly like the tRPC procedure in cookie mode
 * (same checks, same-origin rule and rate limits, in the UAA), then sends the browser to the inbox
 * with the session cookie — or back to the form with a reason code the page turns into a sentence.
 * The password never travels back in a URL; the handle does, so the form can keep it.
 */
export async function handleAuthForm(request: Request, mode: AuthFormMode): Promise<Response> {
  const back = (problem: FormProblem, handle: string) =>
    seeOther(`${PAGE[mode]}?${problemQuery(problem, handle)}`);
  // Counted before the form is parsed: a sign-in form is a few hundred bytes, never megabytes.
  const limited = await limitRequestBody(request, MAX_FORM_BODY_BYTES);
  if (limited instanceof Response) return limited;
  let form: FormData;
  try {
    form = await limited.formData();
  } catch {
    return back({ reason: "server" }, "");
  }
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const handle = text("handle").trim();
  const raw = {
    handle,
    password: text("password"),
    ...(mode === "sign-up" ? { displayName: text("displayName").trim() } : {}),
    mode: "cookie" as const,
    clientName: describeBrowser(request.headers.get("user-agent") ?? ""),
  };
  const refuse = (issues: { path: PropertyKey[]; code?: string }[]) => {
    const issue = issues.find((candidate) => FIELDS.has(String(candidate.path[0])));
    const field = String(issue?.path[0] ?? "handle");
    const value =
      field === "password" ? raw.password : field === "displayName" ? text("displayName") : handle;
    const kind =
      value.trim() === ""
        ? "empty"
        : issue?.code === "too_small"
          ? "too_short"
          : issue?.code === "too_big"
            ? "too_long"
            : "invalid";
    return back({ reason: "invalid", field, kind }, handle);
  };
  const requestInfo = {
    mode: "cookie" as const,
    clientName: raw.clientName,
    headers: request.headers,
    ip: clientIp(request.headers),
  };
  let attempt: (services: ApiServices) => Promise<SignInResult>;
  if (mode === "sign-up") {
    const parsed = ZSignUpInput.safeParse(raw);
    if (!parsed.success) return refuse(parsed.error.issues);
    attempt = (services) => services.auth.signUp(parsed.data, requestInfo);
  } else {
    const parsed = ZSignInInput.safeParse(raw);
    if (!parsed.success) return refuse(parsed.error.issues);
    attempt = (services) => services.auth.signIn(parsed.data, requestInfo);
  }
  try {
    const result = await attempt(await getApiServices());
    return seeOther("/chat", result.setCookie ?? undefined);
  } catch (error) {
    const problem = problemOf(error);
    if (problem.reason === "server") console.error("[web] form sign-in failed:", (error as Error)?.name);
    return back(problem, handle);
  }
}
