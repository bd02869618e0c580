/**
 * Preloaded by bunfig.toml for every `bun test` run of this package: the browser journeys share one
 * stack and one build for the whole run; this stops the stack and removes the build after the last
 * test file.
 */
import { afterAll } from "bun:test";
import { markPreloaded, stopSharedStack } from "./fixture";
import { removeBuild } from "./stack";

markPreloaded();
afterAll(async () => {
  await stopSharedStack();
  removeBuild();
});
