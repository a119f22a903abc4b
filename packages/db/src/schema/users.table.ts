import type { Generated, Selectable } from "kysely";

export type UserRole = "user" | "admin";
export type UserTier = "free" | "starter" | "pro" | "business";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  tier: UserTier;
  role: Generated<UserRole>;
  webhook_url: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type User = Selectable<UsersTable>;
