import mysql from "mysql2/promise";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "mysql://root@127.0.0.1:3306";

/** A missing service fails the test with one line naming it; tests never skip. */
export class ServiceUnavailableError extends Error {
  constructor(service: string, url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${service} is not reachable at ${redactUrl(url)}: ${reason}`);
    this.name = "ServiceUnavailableError";
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

export async function requireMariaDb(url = TEST_DATABASE_URL): Promise<void> {
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await conn.end();
  } catch (error) {
    throw new ServiceUnavailableError("MariaDB", url, error);
  }
}
