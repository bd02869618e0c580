import type { Db } from "@parley/db";
import type Redis from "ioredis";

/**
 * What the UAA needs from its host process. Structural on purpose: @parley/api passes its own
 * ApiServices pieces without @parley/auth depending on the API package.
 */
export type AuthDeps = {
  db: Db;
  redis: Redis;
  events: { publish: (subject: string, payload: unknown) => void };
  ids: { nextId: () => string | Promise<string> };
};

/** Rows changed by an UPDATE/INSERT, across the mysql2 and PlanetScale result shapes. */
export function affectedRows(result: unknown): number {
  const header = Array.isArray(result) ? result[0] : result;
  if (header && typeof header === "object") {
    if ("affectedRows" in header && typeof header.affectedRows === "number") return header.affectedRows;
    if ("rowsAffected" in header && typeof header.rowsAffected === "number") return header.rowsAffected;
  }
  throw new Error("unexpected write result shape");
}
