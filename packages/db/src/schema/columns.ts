import { bigint, customType, datetime } from "drizzle-orm/mysql-core";

/**
 * Snowflake ids (and derived direct-dialog ids) are BIGINT UNSIGNED in the database and decimal strings
 * in JavaScript and on the wire: a JS number silently corrupts ids above 2^53.
 */
export const id = customType<{ data: string; driverData: string | number | bigint }>({
  dataType: () => "bigint unsigned",
  fromDriver: (value) => String(value),
  toDriver: (value) => value,
});

/** Per-dialog and per-client sequence numbers: far below 2^53, so plain numbers are exact. */
export const seq = (name: string) => bigint(name, { mode: "number", unsigned: true });

/** Millisecond UTC timestamps; the connection runs with time_zone = '+00:00'. */
export const timestamp = (name: string) => datetime(name, { mode: "date", fsp: 3 });
