import { authRouter } from "./router/auth";
import { dialogRouter } from "./router/dialog";
import { messageRouter } from "./router/message";
import { presenceRouter } from "./router/presence";
import { searchRouter } from "./router/search";
import { userRouter } from "./router/user";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  dialog: dialogRouter,
  message: messageRouter,
  presence: presenceRouter,
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
