/**
 * `bun tooling/dev-services/src/cli.ts [--root <dir>] [--profile dev|test] [-- command…]`
 * Brings up MariaDB, NATS and Redis for a checkout (see bring-up.ts), runs the command with their
 * URLs, and stops what it started when the command ends. Without a command it holds the services
 * until Ctrl+C (for running the apps by hand).
 */
import { join } from "node:path";
import { runWithServices } from "./run-with-services";

const args = process.argv.slice(2);
const split = args.indexOf("--");
const flags = split >= 0 ? args.slice(0, split) : args;
const command = split >= 0 ? args.slice(split + 1) : [];
const flag = (name: string) => {
  const index = flags.indexOf(name);
  return index >= 0 ? flags[index + 1] : undefined;
};
const root = flag("--root") ?? join(import.meta.dir, "../../..");
const profile = flag("--profile") === "test" ? "test" : "dev";
// Holding: a command that waits for a signal (sleep is everywhere; bun keeps it portable).
const main = command.length > 0 ? command : [process.execPath, "-e", "setInterval(() => {}, 1 << 30)"];

process.exit(await runWithServices({ root, profile, main }));
