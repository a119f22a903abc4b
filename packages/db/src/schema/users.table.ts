import type { Generated, Selectable } from "kysely";

export const USER_ROLES = ["user", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type UserTier = "free" | "starter" | "pro" | "business";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  tier: UserTier;
  role: Generated<UserRole>;
  webhook_url: string | null;
  /** HMAC-SHA256 key for the user's webhook signatures; shown to them when the URL is set. */
  webhook_secret: Generated<string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type User = Selectable<UsersTable>;
