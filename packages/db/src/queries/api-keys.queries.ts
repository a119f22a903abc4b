import type { DbExecutor } from "../schema/database.js";
import type { ApiKey } from "../schema/api-keys.table.js";
import type { UserRole, UserTier } from "../schema/users.table.js";

/** Who a valid key belongs to: everything a request needs to authorise and meter itself. */
export interface Principal {
  keyId: string;
  userId: string;
  email: string;
  tier: UserTier;
  role: UserRole;
}

export async function insertApiKey(db: DbExecutor, key: { userId: string; keyHash: string; prefix: string }): Promise<ApiKey> {
  return db
    .insertInto("api_keys")
    .values({ user_id: key.userId, key_hash: key.keyHash, prefix: key.prefix, revoked_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The owner of an unrevoked key, by the key's SHA-256. */
export async function findPrincipalByKeyHash(db: DbExecutor, keyHash: string): Promise<Principal | undefined> {
  return db
    .selectFrom("api_keys")
    .innerJoin("users", "users.id", "api_keys.user_id")
    .select(["api_keys.id as keyId", "users.id as userId", "users.email as email", "users.tier as tier", "users.role as role"])
    .where("api_keys.key_hash", "=", keyHash)
    .where("api_keys.revoked_at", "is", null)
    .executeTakeFirst();
}

/** Revokes a key by id or by hash; returns its owner, or undefined if it did not exist or was already revoked. */
export async function revokeApiKey(
  db: DbExecutor,
  key: { id: string } | { hash: string },
): Promise<{ userId: string; keyId: string } | undefined> {
  const row = await db
    .updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("id" in key ? "id" : "key_hash", "=", "id" in key ? key.id : key.hash)
    .where("revoked_at", "is", null)
    .returning(["id", "user_id"])
    .executeTakeFirst();
  return row ? { userId: row.user_id, keyId: row.id } : undefined;
}
