"use client";

import { useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useCallback } from "react";
import { useTRPC } from "~/trpc/react";
import { UserFacingError } from "./errors";

/** "@ann, bob carl" → ["ann", "bob", "carl"] */
export function parseHandles(input: string): string[] {
  const handles = input
    .split(/[\s,]+/)
    .map((handle) => handle.replace(/^@/, "").trim())
    .filter(Boolean);
  return [...new Set(handles)];
}

const isNotFound = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND";

/**
 * Resolves handles to user ids, naming the first unknown handle in the error. Any other refusal (the
 * lookup budget, the network) is shown as it is, not as "no such handle".
 */
export function useResolveHandles() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    async (handles: string[]): Promise<string[]> => {
      const ids: string[] = [];
      for (const handle of handles) {
        try {
          const user = await queryClient.fetchQuery(trpc.user.byHandle.queryOptions({ handle }));
          ids.push(user.id);
        } catch (error) {
          if (isNotFound(error)) throw new UserFacingError(`No one has the handle @${handle}.`);
          throw error;
        }
      }
      return ids;
    },
    [queryClient, trpc],
  );
}
