/**
 * Raw `execute` results differ by driver: mysql2 answers `[rows | ResultSetHeader, fields]`, the
 * PlanetScale HTTP driver an object with `rows` / `rowsAffected`. Query functions read them through
 * these two helpers so they work on both.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) {
    const first: unknown = result[0];
    return Array.isArray(first) ? (first as T[]) : [];
  }
  if (result && typeof result === "object" && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  return [];
}

export function affectedRowsOf(result: unknown): number {
  const header: unknown = Array.isArray(result) ? result[0] : result;
  if (header && typeof header === "object") {
    if ("affectedRows" in header && typeof header.affectedRows === "number") return header.affectedRows;
    if ("rowsAffected" in header && typeof header.rowsAffected === "number") return header.rowsAffected;
  }
  return 0;
}

/** BIGINT counters come back as strings (bigNumberStrings); sequence numbers fit a JS number. */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" || typeof value === "bigint") return Number(value);
  return 0;
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  return new Date(0);
}

/**
 * A nullable DATETIME from a raw query: mysql2 gives a Date (the pool runs in UTC), the HTTP driver
 * a 'YYYY-MM-DD HH:MM:SS.fff' string, which is UTC here too (never parsed as local time).
 */
export function toDateOrNull(value: unknown): Date | null {
  if (value == null) return null;
  if (typeof value === "string" && /^\d{4}-\d\d-\d\d \d/.test(value))
    return new Date(`${value.replace(" ", "T")}Z`);
  return toDate(value);
}

export const ER_DUP_ENTRY = 1062;

/** The MySQL error number behind a (possibly drizzle-wrapped) driver error. */
export function mysqlErrno(error: unknown): number | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    if ("errno" in current && typeof current.errno === "number") return current.errno;
    current = "cause" in current ? current.cause : null;
  }
  return null;
}
