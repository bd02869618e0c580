import { schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import type { AuthDeps } from "../deps";
import { affectedRows } from "../deps";
import { handleCandidateFrom, stripInvisible } from "../handle";
import { claimHandle, getUser, insertUser } from "../users";
import type { IdTokenClaims } from "./id-token";

const { authIdentities } = schema;

/** A claim as a string, or undefined: a provider may send any JSON where a string is expected. */
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

async function findLinkedUser(db: AuthDeps["db"], issuer: string, subject: string): Promise<string | null> {
  const rows = await db
    .select({ userId: authIdentities.userId })
    .from(authIdentities)
    .where(and(eq(authIdentities.issuer, issuer), eq(authIdentities.subject, subject)))
    .limit(1);
  return rows[0]?.userId ?? null;
}

/** First free handle among the claim-derived one and a few random-suffixed variants. */
async function claimGeneratedHandle(db: AuthDeps["db"], claims: IdTokenClaims, userId: string) {
  const base = handleCandidateFrom(text(claims.preferred_username) ?? text(claims.email));
  for (let attempt = 0; attempt < 8; attempt++) {
    const suffix = attempt === 0 ? "" : String(crypto.getRandomValues(new Uint32Array(1))[0] ?? 0).slice(-5);
    const handle = `${base}${suffix}`;
    if (await claimHandle(db, handle, userId)) return handle;
  }
  const fallback = `user${userId.slice(-12)}`;
  if (await claimHandle(db, fallback, userId)) return fallback;
  throw new Error("could not allocate a handle");
}

/**
 * (issuer, subject) → user; the first login creates the user. The identity row is written first with
 * a fresh user id, so two concurrent first logins agree on one user: the loser's INSERT IGNORE changes
 * nothing and it reads the winner's link.
 */
export async function linkIdentity(
  deps: AuthDeps,
  issuer: string,
  claims: IdTokenClaims,
  /** Runs before a first login creates a user (the sign-up budget); may refuse by throwing. */
  beforeNewUser: () => Promise<void> = async () => {},
): Promise<string> {
  const existing = await findLinkedUser(deps.db, issuer, claims.sub);
  if (existing) {
    // A crash between the link and the user row (different shards) is repaired on the next login.
    if (!(await getUser(deps.db, existing))) await createLinkedUser(deps, claims, existing);
    return existing;
  }
  await beforeNewUser();
  const userId = await deps.ids.nextId();
  const inserted = await deps.db
    .insert(authIdentities)
    .ignore()
    .values({
      issuer,
      subject: claims.sub,
      userId,
      email: text(claims.email)?.slice(0, 320) ?? null,
      createdAt: new Date(),
    });
  if (affectedRows(inserted) !== 1) {
    const winner = await findLinkedUser(deps.db, issuer, claims.sub);
    if (winner) return winner;
    throw new Error("identity link vanished");
  }
  await createLinkedUser(deps, claims, userId);
  return userId;
}

async function createLinkedUser(deps: AuthDeps, claims: IdTokenClaims, userId: string): Promise<void> {
  const handle = await claimGeneratedHandle(deps.db, claims, userId);
  const named = text(claims.name) ?? text(claims.preferred_username) ?? handle;
  const displayName = [...stripInvisible(named).trim()].slice(0, 64).join("").trim() || handle;
  await insertUser(deps.db, { id: userId, handle, displayName });
}
