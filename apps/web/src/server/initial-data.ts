import { appRouter, createContext } from "@parley/api";
import { headers } from "next/headers";
import { FIRST_PAGE, INBOX_LIMIT } from "~/lib/first-paint";
import type { Profile } from "~/lib/use-profiles";
import type { Me, RouterOutputs } from "~/trpc/types";
import { clientIp } from "./client-ip";
import { getApiServices } from "./services";

/** What the signed-in shell needs for a complete first paint: who I am, my inbox, my peers' names. */
export type ShellSeed = { me: Me; inbox: RouterOutputs["dialog"]["list"]; profiles: Profile[] };

/** The open conversation's first paint: the dialog, its members, the newest messages, their names. */
export type ConversationSeed = {
  dialog: RouterOutputs["dialog"]["get"];
  members: RouterOutputs["dialog"]["members"];
  history: RouterOutputs["dialog"]["history"];
  profiles: Profile[];
};

type Caller = ReturnType<typeof appRouter.createCaller>;

/**
 * The API as this request's cookie sees it, called in-process (the same procedures, checks and
 * rate limits as over HTTP). Null when the cookie names no live session.
 */
async function callerForRequest(): Promise<Caller | null> {
  const incoming = await headers();
  const requestHeaders = new Headers(incoming);
  const services = await getApiServices();
  try {
    const ctx = await createContext(
      services,
      { headers: requestHeaders, ip: clientIp(requestHeaders) },
      new Headers(),
    );
    return ctx.viewer ? appRouter.createCaller(ctx) : null;
  } catch {
    return null;
  }
}

async function profilesFor(caller: Caller, ids: Iterable<string | null | undefined>): Promise<Profile[]> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === "string"))].slice(0, 100);
  return wanted.length > 0 ? caller.user.byIds({ ids: wanted }) : [];
}

/**
 * "signed-out" sends the visitor to sign-in from the server; null (a service hiccup) lets the page
 * render without a seed and load on the client as before.
 */
export async function loadShellSeed(): Promise<ShellSeed | "signed-out" | null> {
  let caller: Caller | null;
  try {
    caller = await callerForRequest();
  } catch {
    return null;
  }
  if (!caller) return "signed-out";
  try {
    const [me, inbox] = await Promise.all([caller.user.me(), caller.dialog.list({ limit: INBOX_LIMIT })]);
    const profiles = await profilesFor(caller, [me.id, ...inbox.items.map((item) => item.peerUserId)]);
    return { me, inbox, profiles };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "UNAUTHORIZED") return "signed-out";
    return null;
  }
}

export async function loadConversationSeed(dialogId: string): Promise<ConversationSeed | null> {
  try {
    const caller = await callerForRequest();
    if (!caller) return null;
    const [dialog, members, history] = await Promise.all([
      caller.dialog.get({ dialogId }),
      caller.dialog.members({ dialogId }),
      caller.dialog.history({ dialogId, limit: FIRST_PAGE }),
    ]);
    const profiles = await profilesFor(caller, [
      dialog.peerUserId,
      ...members.map((member) => member.userId),
      ...history.messages.map((message) => message.senderId),
    ]);
    return { dialog, members, history, profiles };
  } catch {
    // Not a member, a bad id, a hiccup: the client renders what it can (and says so).
    return null;
  }
}
