"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useState } from "react";
import { describeBrowser } from "~/lib/client-name";
import { type FormErrors, toFormErrors } from "~/lib/errors";
import { issueSentence } from "~/lib/sentences";
import { useTRPC } from "~/trpc/react";
import { tabSession } from "~/trpc/tab-session";
import { OidcButtons, type OidcProviderLink } from "./oidc-buttons";

type Mode = "sign-in" | "sign-up";

const NO_ERRORS: FormErrors = { form: null, fields: {} };

export function AuthForm({
  mode,
  providers,
  initialErrors,
  initialHandle = "",
}: {
  mode: Mode;
  providers: OidcProviderLink[];
  initialErrors?: FormErrors;
  initialHandle?: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const ids = useId();
  const [errors, setErrors] = useState<FormErrors>(initialErrors ?? NO_ERRORS);
  const signIn = useMutation(trpc.auth.signIn.mutationOptions());
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const pending = signIn.isPending || signUp.isPending;

  // A tab on the sign-in page keeps no tab client: after signing in it opens a fresh one under the
  // new browser session.
  useEffect(() => tabSession().drop(), []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const handle = String(form.get("handle") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const displayName = String(form.get("displayName") ?? "").trim();
    const clientName = describeBrowser(navigator.userAgent);
    // Empty fields are named at once, in words, without a round trip.
    const empty: Record<string, string> = {};
    const values: Record<string, string> = { handle, password, displayName };
    for (const name of mode === "sign-up" ? ["handle", "displayName", "password"] : ["handle", "password"]) {
      if ((values[name] ?? "").trim() === "") empty[name] = issueSentence(name, {}, "");
    }
    if (Object.keys(empty).length > 0) return setErrors({ form: null, fields: empty });
    setErrors(NO_ERRORS);
    try {
      // Cookie mode: the session cookie is this browser's client; each tab then opens a client of
      // its own with it (auth.openTab, see docs/web.md).
      if (mode === "sign-up") {
        await signUp.mutateAsync({ handle, displayName, password, mode: "cookie", clientName });
      } else {
        await signIn.mutateAsync({ handle, password, mode: "cookie", clientName });
      }
      router.replace("/chat");
      router.refresh();
    } catch (error) {
      setErrors(toFormErrors(error));
    }
  }

  const title = mode === "sign-in" ? "Sign in to Parley" : "Create your Parley account";
  const field = (name: string) => ({
    id: `${ids}-${name}`,
    name,
    "aria-invalid": errors.fields[name] ? true : undefined,
    "aria-describedby": errors.fields[name] ? `${ids}-${name}-error` : undefined,
  });
  const fieldError = (name: string) =>
    errors.fields[name] ? (
      <p className="field-error" id={`${ids}-${name}-error`}>
        {errors.fields[name]}
      </p>
    ) : null;

  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark">P</span> Parley
        </div>
        <h1>{title}</h1>
        {/* Live, the form signs in over tRPC. Submitted before hydration (slow network, blocked
            script), the browser posts it to a route that signs in the same way and redirects: never
            a GET with the password in the URL, never a silently emptied form. */}
        <form
          method="post"
          action={mode === "sign-in" ? "/api/auth/sign-in" : "/api/auth/sign-up"}
          onSubmit={onSubmit}
          noValidate
          aria-describedby={errors.form ? `${ids}-form-error` : undefined}
        >
          {errors.form ? (
            <div className="form-error" role="alert" id={`${ids}-form-error`}>
              {errors.form}
            </div>
          ) : null}
          <label htmlFor={`${ids}-handle`}>Handle</label>
          <input
            {...field("handle")}
            defaultValue={initialHandle}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          {fieldError("handle")}
          {mode === "sign-up" ? (
            <>
              <label htmlFor={`${ids}-displayName`}>Display name</label>
              <input {...field("displayName")} autoComplete="name" required />
              {fieldError("displayName")}
            </>
          ) : null}
          <label htmlFor={`${ids}-password`}>Password</label>
          <input
            {...field("password")}
            type="password"
            autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
            required
          />
          {fieldError("password")}
          <button type="submit" className="button primary wide" disabled={pending}>
            {pending ? "Please wait…" : mode === "sign-in" ? "Sign in" : "Create account"}
          </button>
        </form>
        <OidcButtons providers={providers} />
        <p className="auth-switch">
          {mode === "sign-in" ? (
            <>
              New here? <Link href="/sign-up">Create an account</Link>
            </>
          ) : (
            <>
              Have an account? <Link href="/sign-in">Sign in</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
