import type { Config } from "@secapi/config";
import { changeUserTier, createUserWithKey } from "@secapi/core";
import type { UserTier } from "@secapi/db";
import { withDb } from "../database.js";

export async function createUser(
  config: Config,
  options: { email: string; tier: UserTier; admin: boolean; json: boolean },
): Promise<void> {
  const { user, apiKey } = await withDb(config, (db) =>
    createUserWithKey(db, { email: options.email, tier: options.tier, role: options.admin ? "admin" : "user" }),
  );
  if (options.json) {
    console.log(JSON.stringify({ id: user.id, email: user.email, tier: user.tier, role: user.role, api_key: apiKey }));
    return;
  }
  console.log(`Created ${user.role} ${user.id} <${user.email}> on tier ${user.tier}`);
  console.log(`API key (shown once, store it now): ${apiKey}`);
}

export async function setTier(config: Config, userId: string, tier: UserTier): Promise<void> {
  const user = await withDb(config, (db) => changeUserTier(db, userId, tier));
  console.log(`User ${user.id} is now on tier ${user.tier}`);
}
