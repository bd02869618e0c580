import type { AuthService } from "@parley/auth";
import {
  type CoreServices,
  type CoreServicesOptions,
  createCoreServices,
  type ServiceBase,
} from "@parley/core";
import type { ApiServices } from "./context";

/**
 * The API's services around one UAA: viewer resolution and the revocation check are the UAA's, so
 * every host (production, test harnesses, spawned test servers) wires them the same way.
 */
export function assembleApiServices(
  base: ServiceBase,
  auth: AuthService,
  options: CoreServicesOptions = {},
): ApiServices {
  return withViewerResolution(createCoreServices(base, auth, options));
}

/** A process's domain services plus the request glue of their UAA (same per-process state). */
export function withViewerResolution(core: CoreServices): ApiServices {
  const { auth } = core;
  return {
    ...core,
    resolveViewer: (req, resHeaders) => auth.resolveViewer(req, resHeaders),
    isClientRevoked: (viewer) => auth.isClientRevoked(viewer),
  };
}
