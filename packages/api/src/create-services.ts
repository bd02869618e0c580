import { type CoreEnv, type CreateCoreRuntimeOptions, createCoreRuntime, readCoreEnv } from "@parley/core";
import { assembleApiServices } from "./assemble-services";
import type { ApiServices } from "./context";

export type ApiRuntime = { services: ApiServices; close: () => Promise<void> };

export type CreateApiServicesOptions = CreateCoreRuntimeOptions;

/** Production wiring, once per process: the domain core's runtime plus the UAA's request glue. */
export async function createApiServices(
  env: CoreEnv = readCoreEnv(),
  options: CreateApiServicesOptions = {},
): Promise<ApiRuntime> {
  const runtime = await createCoreRuntime(env, options);
  const { auth, sendPool, messaging } = runtime.services;
  const services = assembleApiServices(runtime.services, auth, {
    ...(sendPool ? { sendPool } : {}),
    ...(messaging ? { messaging } : {}),
  });
  return { services, close: runtime.close };
}
