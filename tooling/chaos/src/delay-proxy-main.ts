/** The delay proxy as a process: PROXY_UPSTREAM in, commands over IPC (delay-proxy-process.ts). */

import { ZProxyCommand } from "./delay-proxy-process";
import { type DelayPlan, startDelayProxy } from "./http-delay-proxy";

const upstream = process.env.PROXY_UPSTREAM;
if (!upstream) {
  console.error("[delay-proxy] PROXY_UPSTREAM is required");
  process.exit(1);
}
const proxy = startDelayProxy({ upstream });
proxy.onSendForwarded((sendsInFlight) => process.send?.({ type: "send", sendsInFlight }));
process.on("message", (message) => {
  const command = ZProxyCommand.parse(message);
  if (command.type === "upstream") proxy.setUpstream(command.origin);
  else proxy.setPlan(command.plan as DelayPlan | null);
});
// The run that started us is gone: so are we.
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "listening", port: proxy.port });
