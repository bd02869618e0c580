"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "~/trpc/react";
import { tabSession } from "~/trpc/tab-session";

export function SignOutButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = useMutation(trpc.auth.signOut.mutationOptions());
  async function onClick() {
    try {
      await signOut.mutateAsync();
    } finally {
      // Whatever the server said, this tab forgets everything it cached for the old session. The
      // server signed the whole browser out (its cookie client and every tab of it).
      tabSession().drop();
      queryClient.clear();
      router.replace("/sign-in");
    }
  }
  return (
    <button type="button" className="button ghost small" onClick={onClick} disabled={signOut.isPending}>
      Sign out
    </button>
  );
}
