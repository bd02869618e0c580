import { AuthForm } from "~/components/auth/auth-form";
import { listOidcProviders } from "~/server/oidc-providers";

export const dynamic = "force-dynamic";

export default function SignUpPage() {
  return <AuthForm mode="sign-up" providers={listOidcProviders()} />;
}
