import { type CoreEnv, type CreateCoreRuntimeOptions, createCoreRuntime, readCoreEnv } from "@parley/core";
import { withViewerResolution } from "./assemble-services";
import type { ApiServices } from "./context";

export type ApiRuntime = { services: ApiServices; close: () => Promise<void> };

export type CreateApiServicesOptions = CreateCoreRuntimeOptions;

/** Production wiring, once per process: the domain core's runtime plus the UAA's request glue. */
export async function createApiServices(
  env: CoreEnv = readCoreEnv(),
  options: CreateApiServicesOptions = {},
): Promise<ApiRuntime> {
  const runtime = await createCoreRuntime(env, options);
  return { services: withViewerResolution(runtime.services), close: runtime.close };
}
