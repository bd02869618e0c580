import { dialogRouter } from "./router/dialog";
import { messageRouter } from "./router/message";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  dialog: dialogRouter,
  message: messageRouter,
});

export type AppRouter = typeof appRouter;
