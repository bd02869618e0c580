"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "~/trpc/react";

/** "@ann, bob carl" → ["ann", "bob", "carl"] */
export function parseHandles(input: string): string[] {
  const handles = input
    .split(/[\s,]+/)
    .map((handle) => handle.replace(/^@/, "").trim())
    .filter(Boolean);
  return [...new Set(handles)];
}

/** Resolves handles to user ids, naming the first unknown handle in the error. */
export function useResolveHandles() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    async (handles: string[]): Promise<string[]> => {
      const ids: string[] = [];
      for (const handle of handles) {
        let user: { id: string } | null = null;
        try {
          user = await queryClient.fetchQuery(trpc.user.byHandle.queryOptions({ handle }));
        } catch {
          user = null;
        }
        if (!user) throw new Error(`No one has the handle @${handle}.`);
        ids.push(user.id);
      }
      return ids;
    },
    [queryClient, trpc],
  );
}
