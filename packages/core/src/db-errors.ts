import { mysqlErrno } from "@parley/db/queries";

/** Lock wait timeout (1205) and deadlock (1213): the transaction rolled back and may simply rerun. */
export function isLockContention(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === 1205 || errno === 1213;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
