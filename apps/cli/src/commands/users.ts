import type { Config } from "@secapi/config";
import { changeUserTier, createUserWithKey, revokeKey } from "@secapi/core";
import type { UserTier } from "@secapi/db";
import { withDb } from "../database.js";

export async function createUser(config: Config, options: { email: string; tier: UserTier; admin: boolean; json: boolean }): Promise<void> {
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

/** Revokes a key given its id or the key itself (e.g. one that leaked). */
export async function revokeUserKey(config: Config, idOrKey: string): Promise<void> {
  const key = /^[0-9a-f-]{36}$/i.test(idOrKey) ? { id: idOrKey } : { key: idOrKey };
  const revoked = await withDb(config, (db) => revokeKey(db, key));
  if (!revoked) {
    console.error("secapi: no such unrevoked key");
    process.exitCode = 1;
    return;
  }
  console.log("Key revoked; cached sessions end within seconds (on the api_key.revoked event)");
}
