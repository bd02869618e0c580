import { bringUpServices, type Profile, ServicesMissingError, type ServicesReady } from "./bring-up";
import { ServiceStartError } from "./private-instance";

export type RunOptions = {
  root: string;
  profile: Profile;
  /** Commands run one after another before `main` (e.g. migrations); a failure ends the run. */
  before?: string[][];
  /** The long-running command; the services stop once it exits. */
  main: string[];
  /** Extra variables for every command. */
  env?: Record<string, string>;
};

const log = (line: string) => console.log(`[services] ${line}`);

/**
 * Brings up the services, runs the commands with their URLs in the environment, and stops what it
 * started when the main command ends — also on Ctrl+C or SIGTERM, after the command has exited, so
 * the apps never see their database vanish under them. Returns the exit code to use.
 */
export async function runWithServices(options: RunOptions): Promise<number> {
  let services: ServicesReady;
  try {
    services = await bringUpServices({ root: options.root, profile: options.profile, log });
  } catch (error) {
    if (error instanceof ServicesMissingError) {
      for (const line of error.lines) console.error(line);
      console.error("Or run them in Docker: `docker compose up -d` (compose.yaml), then try again.");
      return 1;
    }
    if (error instanceof ServiceStartError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const env = { ...process.env, ...options.env, ...services.env };
  let current: ReturnType<typeof Bun.spawn> | null = null;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    // Ctrl+C already reached the child (same process group); SIGTERM from a supervisor did not.
    if (signal !== "SIGINT") current?.kill(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  let code = 0;
  try {
    for (const command of [...(options.before ?? []), options.main]) {
      if (interrupted) break;
      current = Bun.spawn(command, { cwd: options.root, env, stdio: ["inherit", "inherit", "inherit"] });
      code = await current.exited;
      current = null;
      if (code !== 0) break;
    }
  } finally {
    if (services.started.length > 0) {
      log(`stopping ${services.started.map((instance) => instance.label).join(", ")}`);
      await services.stop();
    }
  }
  return interrupted && code === 130 ? 0 : code;
}
