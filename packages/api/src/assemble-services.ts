import type { AuthService } from "@parley/auth";
import type { CoreServices, ServiceBase } from "@parley/core";
import type { ApiServices } from "./context";

/**
 * The API's services around one UAA: viewer resolution and the revocation check are the UAA's, so
 * every host (production, test harnesses, spawned test servers) wires them the same way.
 */
export function assembleApiServices(
  base: ServiceBase,
  auth: AuthService,
  rest: Pick<CoreServices, "sendPool" | "messaging"> = {},
): ApiServices {
  return {
    ...base,
    ...rest,
    auth,
    resolveViewer: (req, resHeaders) => auth.resolveViewer(req, resHeaders),
    isClientRevoked: (viewer) => auth.isClientRevoked(viewer),
  };
}
