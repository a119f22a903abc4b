import {
  type Db,
  type User,
  type UserRole,
  type UserTier,
  findPrincipalByKeyHash,
  findUserByEmail,
  insertApiKey,
  insertUser,
  isUniqueViolationError,
  revokeApiKey,
  updateUserTier,
} from "@secapi/db";
import { createEvent, eventMessage, writeOutbox } from "@secapi/events";
import { describeApiKey, generateApiKey, type GeneratedApiKey, hashApiKey } from "./api-key.js";

export class UserExistsError extends Error {
  readonly code = "user_exists";
  constructor(email: string) {
    super(`a user with email ${email} already exists`);
    this.name = "UserExistsError";
  }
}

export class UserNotFoundError extends Error {
  readonly code = "user_not_found";
  constructor(id: string) {
    super(`no user with id ${id}`);
    this.name = "UserNotFoundError";
  }
}

/** Creates a user and their first API key in one transaction; the key is returned once and never stored. */
export async function createUserWithKey(
  db: Db,
  input: { email: string; tier: UserTier; role?: UserRole; apiKey?: GeneratedApiKey },
): Promise<{ user: User; apiKey: string }> {
  const apiKey = input.apiKey ?? generateApiKey();
  try {
    return await db.transaction().execute(async (tx) => {
      const user = await insertUser(tx, { email: input.email, tier: input.tier, role: input.role ?? "user" });
      await insertApiKey(tx, { userId: user.id, keyHash: apiKey.hash, prefix: apiKey.prefix });
      return { user, apiKey: apiKey.key };
    });
  } catch (error) {
    if (isUniqueViolationError(error)) throw new UserExistsError(input.email);
    throw error;
  }
}

/**
 * Changes a user's tier and emits `user.tier_changed` in the same transaction, so every cache of the
 * user's principal is invalidated. Counters are untouched: the new limits apply to the usage so far.
 */
export async function changeUserTier(db: Db, userId: string, tier: UserTier): Promise<User> {
  return db.transaction().execute(async (tx) => {
    const changed = await updateUserTier(tx, userId, tier);
    if (!changed) throw new UserNotFoundError(userId);
    if (changed.previousTier !== tier) {
      await writeOutbox(tx, [eventMessage(createEvent("user.tier_changed", { userId, from: changed.previousTier, to: tier }))]);
    }
    return changed.user;
  });
}

const BOOTSTRAP_ADMIN_EMAIL = "admin@secapi.local";

/** Makes sure an admin holding `key` exists (BOOTSTRAP_ADMIN_KEY); idempotent across restarts. */
export async function ensureBootstrapAdmin(db: Db, key: string): Promise<{ created: boolean; userId: string }> {
  const described = describeApiKey(key);
  const existing = await findPrincipalByKeyHash(db, described.hash);
  if (existing) return { created: false, userId: existing.userId };
  const owner = await findUserByEmail(db, BOOTSTRAP_ADMIN_EMAIL);
  if (owner) {
    await insertApiKey(db, { userId: owner.id, keyHash: described.hash, prefix: described.prefix });
    return { created: false, userId: owner.id };
  }
  try {
    const { user } = await createUserWithKey(db, {
      email: BOOTSTRAP_ADMIN_EMAIL,
      tier: "business",
      role: "admin",
      apiKey: described,
    });
    return { created: true, userId: user.id };
  } catch (error) {
    // Two processes bootstrapping at once: the other one won.
    if (error instanceof UserExistsError) return ensureBootstrapAdmin(db, key);
    throw error;
  }
}

/**
 * Revokes an API key (by id, or by the key itself when it leaked) and emits `api_key.revoked`, on which
 * the cache-workers drop the cached principal; returns false if there was no such unrevoked key.
 */
export async function revokeKey(db: Db, key: { id: string } | { key: string }): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const revoked = await revokeApiKey(tx, "id" in key ? key : { hash: hashApiKey(key.key) });
    if (!revoked) return false;
    await writeOutbox(tx, [eventMessage(createEvent("api_key.revoked", revoked))]);
    return true;
  });
}
