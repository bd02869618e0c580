/**
 * Preloaded by bunfig.toml for every `bun test` run of this package: the browser journeys share one
 * stack for the whole run, and this stops it after the last test file.
 */
import { afterAll } from "bun:test";
import { markPreloaded, stopSharedStack } from "./fixture";

markPreloaded();
afterAll(stopSharedStack);
