import { authRouter } from "./router/auth";
import { dialogRouter } from "./router/dialog";
import { messageRouter } from "./router/message";
import { presenceRouter } from "./router/presence";
import { userRouter } from "./router/user";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  dialog: dialogRouter,
  message: messageRouter,
  presence: presenceRouter,
});

export type AppRouter = typeof appRouter;
