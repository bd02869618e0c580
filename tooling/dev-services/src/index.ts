export { type BringUpOptions, bringUpServices, type Profile, ServicesMissingError } from "./bring-up";
export { ensureServices, type ServiceRequest } from "./ensure-services";
export { readEnvFile, updateEnvFile } from "./env-file";
export { answers, freePort, isPortFree } from "./net";
export { type PrivateInstance, ServiceStartError } from "./private-instance";
export { type RunOptions, runWithServices } from "./run-with-services";
export { installLine, SERVICES, type ServiceName } from "./specs";
export { serviceSearchPath } from "./which";
