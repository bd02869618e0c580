"use client";

import type { AppRouter } from "@parley/api";
import { MAX_TRPC_BATCH_SIZE } from "@parley/protocol";
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import { tabSession } from "./tab-session";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type TrpcClient = ReturnType<typeof createTRPCClient<AppRouter>>;

const AUTH_PAGES = ["/sign-in", "/sign-up"];

/**
 * A query answered UNAUTHORIZED means this client's session ended (revoked from another device,
 * expired, signed out elsewhere): leave for the sign-in page. Mutations are exempt — a wrong password
 * is UNAUTHORIZED too, and the form shows it.
 */
function onQueryError(error: unknown): void {
  if (!isUnauthorized(error) || AUTH_PAGES.includes(window.location.pathname)) return;
  // This tab's client is gone: its tokens are worthless now.
  tabSession().drop();
  window.location.assign("/sign-in?signedOut=1");
}

function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onQueryError }),
    defaultOptions: {
      queries: {
        // Live data arrives over the socket and invalidates queries; no need to refetch on focus.
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => !isUnauthorized(error) && failureCount < 2,
      },
    },
  });
}

export function isUnauthorized(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("data" in error)) return false;
  const data = (error as { data?: { code?: string } | null }).data;
  return data?.code === "UNAUTHORIZED";
}

export function createBrowserTrpcClient(): TrpcClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "/api/trpc",
        maxItems: MAX_TRPC_BATCH_SIZE,
        // This tab's bearer token (its own client), refreshed as needed; the browser's session
        // cookie rides along too (sign-in, sign-out and opening the tab use it). Same-origin, no CORS.
        fetch: (input, init) =>
          typeof window === "undefined"
            ? fetch(input, { ...init, credentials: "same-origin" })
            : tabSession().fetch(input, init),
      }),
    ],
  });
}

export function TrpcReactProvider({ children }: { children: ReactNode }) {
  // One client per browser tab, created once (not per render).
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(createBrowserTrpcClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
