import { AuthForm } from "~/components/auth/auth-form";
import { readProblem } from "~/server/form-problems";
import { listOidcProviders } from "~/server/oidc-providers";

export const dynamic = "force-dynamic";

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // A refused form post (no JavaScript) comes back with a reason code, never with text to echo.
  const problem = readProblem(await searchParams);
  return (
    <AuthForm
      mode="sign-up"
      providers={listOidcProviders()}
      initialErrors={problem?.errors}
      initialHandle={problem?.handle ?? ""}
    />
  );
}
