/**
 * The lean load client's tRPC calls: one `fetch` POST per mutation to /api/trpc/<path>, JSON in and
 * out (no transformer on the wire), keep-alive connections pooled by the runtime. No tRPC client
 * library, no engine: the load client shares the cores with the server, so it stays small.
 */
import { ApiError } from "@parley/client";
import { z } from "zod";

/**
 * The engine's ApiError (same codes, same retry rule, same expectedClientSeq), plus "HTTP": a failure
 * answered without a tRPC body, worth retrying with the same ids.
 */
export class CallError extends ApiError {
  override get retryable(): boolean {
    return this.code === "HTTP" || super.retryable;
  }

  /** CONFLICT "ahead": an earlier clientSeq of this client has not committed yet; retry the same ids. */
  get isAhead(): boolean {
    return this.code === "CONFLICT" && this.details.status === "pending";
  }
}

const ZEnvelope = z.union([
  z.object({ result: z.object({ data: z.unknown() }) }),
  z.object({
    error: z.object({
      message: z.string(),
      data: z
        .object({ code: z.string().optional(), details: z.record(z.string(), z.unknown()).nullish() })
        .partial()
        .nullish(),
    }),
  }),
]);

export type TrpcHttp = {
  mutation: <T>(path: string, input: unknown, schema: z.ZodType<T>, bearer?: string) => Promise<T>;
};

export function createTrpcHttp(baseUrl: string): TrpcHttp {
  return {
    async mutation(path, input, schema, bearer) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/trpc/${path}`, {
          method: "POST",
          headers,
          body: input === undefined ? undefined : JSON.stringify(input),
        });
      } catch (error) {
        throw new CallError("NETWORK", error instanceof Error ? error.message : String(error));
      }
      const text = await response.text().catch(() => "");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new CallError("HTTP", `HTTP ${response.status}: ${text.slice(0, 120)}`);
      }
      const envelope = ZEnvelope.safeParse(body);
      if (!envelope.success) throw new CallError("HTTP", `HTTP ${response.status}: unexpected body`);
      if ("error" in envelope.data) {
        const { message, data } = envelope.data.error;
        throw new CallError(data?.code ?? "HTTP", message, data?.details ?? {});
      }
      return schema.parse(envelope.data.result.data);
    },
  };
}
