#!/usr/bin/env node
import { TIERS, loadConfigOrExit } from "@secapi/config";
import { keyPatternProblem } from "@secapi/core";
import type { UserTier } from "@secapi/db";
import { Command, InvalidArgumentError, Option } from "commander";
import { importAdvisories } from "./commands/advisories.js";
import { syncAdvisories } from "./commands/advisory-sync.js";
import { cacheDelete, cacheFlush, cacheStats } from "./commands/cache.js";
import { migrate } from "./commands/migrate.js";
import { createUser, revokeUserKey, setTier } from "./commands/users.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseUuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError("not a user id (UUID)");
  return value;
}

/** A pattern delete stays within one key type under the prefix (the API refuses the same patterns). */
function parseKeyPattern(value: string): string {
  const problem = keyPatternProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

const program = new Command("secapi").description("SecAPI operator commands").showHelpAfterError();
const config = () => loadConfigOrExit();

program
  .command("migrate")
  .description("create the database if needed and apply pending migrations")
  .action(() => migrate(config()));

const users = program.command("users").description("manage users and their API keys");
users
  .command("create")
  .description("create a user and print their API key (shown once)")
  .requiredOption("--email <email>", "the user's email")
  .addOption(new Option("--tier <tier>", "pricing tier").choices(TIERS).makeOptionMandatory())
  .option("--admin", "give the user the admin role", false)
  .option("--json", "print {id, email, tier, role, api_key} as JSON", false)
  .action((options: { email: string; tier: UserTier; admin: boolean; json: boolean }) => createUser(config(), options));

users
  .command("set-tier")
  .description("change a user's tier; applies to their next request")
  .argument("<id>", "user id", parseUuid)
  .addArgument(program.createArgument("<tier>", "new tier").choices(TIERS))
  .action((id: string, tier: UserTier) => setTier(config(), id, tier));

users
  .command("revoke-key")
  .description("revoke an API key, given its id or the key itself")
  .argument("<key>", "key id (UUID) or the key (sk_...)")
  .action((key: string) => revokeUserKey(config(), key));

const advisories = program.command("advisories").description("the local OSV advisory database");
advisories
  .command("import")
  .description("import OSV advisories from a JSON file, a directory of them, or a zip (e.g. an OSV ecosystem dump)")
  .argument("<path>", "file, directory or .zip")
  .option("--json", "print the summary as JSON", false)
  .action((path: string, options: { json: boolean }) => importAdvisories(config(), path, options));
advisories
  .command("sync")
  .description("sync the advisory database from the feed (ADVISORY_SYNC_URL) now, with progress")
  .option("--ecosystem <ecosystem>", "only this ecosystem (default: every one of ADVISORY_SOURCES)")
  .option("--json", "print the summary as JSON", false)
  .action((options: { ecosystem?: string; json: boolean }) => syncAdvisories(config(), options));

const cache = program.command("cache").description("the Redis cache");
cache
  .command("stats")
  .description("entries and memory of the cache Redis")
  .option("--json", "print as JSON", false)
  .action((options: { json: boolean }) => cacheStats(config(), options));
cache
  .command("flush")
  .description("delete every cache entry (everywhere: Redis and every API's memory)")
  .action(() => cacheFlush(config()));
cache
  .command("delete")
  .description("delete the entries whose keys match a Redis glob within one key type, e.g. 'secapi:result:dependencies:*' (everywhere: Redis and every API's memory)")
  .requiredOption("--pattern <glob>", "keys to delete, under the prefix with the key type written out", parseKeyPattern)
  .option("--json", "print {deleted_keys} as JSON", false)
  .action((options: { pattern: string; json: boolean }) => cacheDelete(config(), options));

program.parseAsync().catch((error: Error & { code?: string }) => {
  console.error(`secapi: ${error.message}`);
  process.exitCode = 1;
});
