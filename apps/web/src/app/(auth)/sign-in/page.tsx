import { AuthForm } from "~/components/auth/auth-form";
import { listOidcProviders } from "~/server/oidc-providers";

export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; signedOut?: string }>;
}) {
  const { error, signedOut } = await searchParams;
  // Only a fixed sentence is shown for OIDC failures; the query string is never echoed as-is.
  const initialError = error
    ? "Signing in with that provider did not work. Please try again."
    : signedOut
      ? "This device was signed out. Sign in again to continue."
      : null;
  return <AuthForm mode="sign-in" providers={listOidcProviders()} initialError={initialError} />;
}
