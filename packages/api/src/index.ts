export {
  type ApiServices,
  type Context,
  createContext,
  type EventPublisher,
  type IdGenerator,
  type RequestInfo,
  type Viewer,
} from "./context";
export { AppError, type AppErrorCode } from "./errors";
export { type AppRouter, appRouter } from "./root";
export { ZSignInInput, ZSignInOutput, ZSignUpInput, ZTokenPair } from "./router/auth";
export { ZClientOutput, ZMeOutput, ZPublicUser } from "./router/user";
export { createCallerFactory } from "./trpc";
