import { AuthForm } from "~/components/auth/auth-form";
import { readProblem } from "~/server/form-problems";
import { listOidcProviders } from "~/server/oidc-providers";

export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // A refused form post (no JavaScript) comes back with a reason code, never with text to echo.
  const problem = readProblem(params);
  // Only a fixed sentence is shown for OIDC failures; the query string is never echoed as-is.
  const initialError = params.error
    ? "Signing in with that provider did not work. Please try again."
    : params.signedOut
      ? "This device was signed out. Sign in again to continue."
      : null;
  return (
    <AuthForm
      mode="sign-in"
      providers={listOidcProviders()}
      initialErrors={problem?.errors ?? { form: initialError, fields: {} }}
      initialHandle={problem?.handle ?? ""}
    />
  );
}
