"use client";

import type { AppRouter } from "@parley/api";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type TrpcClient = ReturnType<typeof createTRPCClient<AppRouter>>;

function makeQueryClient(): QueryClient {
  return new QueryClient({
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
        // The session cookie rides along; same-origin, so no CORS.
        fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
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
