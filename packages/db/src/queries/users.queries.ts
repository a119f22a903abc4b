import type { DbExecutor } from "../schema/database.js";
import type { User, UserRole, UserTier } from "../schema/users.table.js";

export interface NewUser {
  email: string;
  tier: UserTier;
  role?: UserRole;
  webhookUrl?: string | null;
}

/** Inserts a user; a duplicate email (any case) raises the unique violation `users_email_key`. */
export async function insertUser(db: DbExecutor, user: NewUser): Promise<User> {
  return db
    .insertInto("users")
    .values({ email: user.email, tier: user.tier, role: user.role ?? "user", webhook_url: user.webhookUrl ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserById(db: DbExecutor, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .executeTakeFirst();
}

/** Sets the tier and returns the user with the tier it had before; locks the row for the caller's transaction. */
export async function updateUserTier(
  db: DbExecutor,
  id: string,
  tier: UserTier,
): Promise<{ user: User; previousTier: UserTier } | undefined> {
  const before = await db.selectFrom("users").select("tier").where("id", "=", id).forUpdate().executeTakeFirst();
  if (!before) return undefined;
  const user = await db
    .updateTable("users")
    .set({ tier, updated_at: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, previousTier: before.tier };
}

/** Sets (or clears, with null) the user's webhook URL and its signing secret. */
export async function updateUserWebhook(
  db: DbExecutor,
  id: string,
  webhook: { url: string; secret: string } | null,
): Promise<User | undefined> {
  return db
    .updateTable("users")
    .set({ webhook_url: webhook?.url ?? null, webhook_secret: webhook?.secret ?? null, updated_at: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** The tier of each of these users (for metrics labelled by tier). */
export async function tiersOfUsers(db: DbExecutor, ids: readonly string[]): Promise<Map<string, UserTier>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("users")
    .select(["id", "tier"])
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.tier]));
}
