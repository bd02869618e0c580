export { assembleApiServices, type ServiceBase } from "./assemble-services";
export {
  type ApiServices,
  type Context,
  createContext,
  type EventPublisher,
  type IdGenerator,
  type RequestInfo,
  type Viewer,
} from "./context";
export { type ApiRuntime, type CreateApiServicesOptions, createApiServices } from "./create-services";
export { type ApiEnv, readApiEnv } from "./env";
export { AppError, type AppErrorCode } from "./errors";
export { type AppRouter, appRouter } from "./root";
export { ZSignInInput, ZSignInOutput, ZSignUpInput, ZTokenPair } from "./router/auth";
export {
  ZAddMembersInput,
  ZChangesInput,
  ZCreateGroupInput,
  ZDialogIdInput,
  ZHistoryInput,
  ZListDialogsInput,
  ZMarkInput,
  ZOpenDirectInput,
  ZRemoveMemberInput,
  ZSendAck,
  ZSendMessageInput,
  ZSyncInput,
} from "./router/messaging-inputs";
export { ZClientOutput, ZMeOutput, ZPublicUser } from "./router/user";
export type { DialogView } from "./services/dialog-view";
export type { MessagingOptions, SendFaults } from "./services/options";
export { createCallerFactory, loggable } from "./trpc";
