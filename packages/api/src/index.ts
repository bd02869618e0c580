export { assembleApiServices } from "./assemble-services";
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
export { createCallerFactory, loggable } from "./trpc";
