#!/usr/bin/env node
import { createRequire } from "node:module";
import { TIERS, loadConfigOrExit } from "@secapi/config";
import { keyPatternProblem } from "@secapi/core";
import type { UserTier } from "@secapi/db";
import { Command, InvalidArgumentError, Option } from "commander";
import { importAdvisories } from "./commands/advisories.js";
import { syncAdvisories } from "./commands/advisory-sync.js";
import { cacheDelete, cacheFlush, cacheStats } from "./commands/cache.js";
import { migrate } from "./commands/migrate.js";
import { DEFAULT_MAX_RETRY_AFTER_SECONDS } from "./commands/scan/scan-client.js";
import { EXIT_ERROR, runScanCommand } from "./commands/scan/scan-command.js";
import { type ScanKind, collect, parseLabel, parseScanKinds, selectScanKinds } from "./commands/scan/scan-options.js";
import { SEVERITY_ORDER, type Severity } from "./commands/scan/scan-report.js";
import { createUser, revokeUserKey, setTier } from "./commands/users.js";

/** The CLI's own version (its package.json): `secapi --version`, and the SARIF report's `tool.driver.version`. */
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseUuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError("not a user id (UUID)");
  return value;
}

/** A pattern delete stays within one key type under the prefix (the API refuses the same patterns). */
function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("not a number of seconds");
  return Number(value);
}

function parseKeyPattern(value: string): string {
  const problem = keyPatternProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

const program = new Command("secapi").description("SecAPI operator commands").version(version).showHelpAfterError();
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
  .description(
    "delete the entries whose keys match a Redis glob within one key type, e.g. 'secapi:result:dependencies:*' (everywhere: Redis and every API's memory)",
  )
  .requiredOption("--pattern <glob>", "keys to delete, under the prefix with the key type written out", parseKeyPattern)
  .option("--json", "print {deleted_keys} as JSON", false)
  .action((options: { pattern: string; json: boolean }) => cacheDelete(config(), options));

program
  .command("scan")
  .description(
    "the client for CI: scan the lockfiles and SBOMs (and with --type secrets, the files) under PATH, and container images, on a SecAPI server; exit 1 on findings at or above --fail-on, 2 on usage or server errors",
  )
  .argument("[path]", "the project to scan", ".")
  .addOption(new Option("--url <url>", "the SecAPI server").env("SECAPI_URL").default("http://127.0.0.1:8000"))
  .addOption(new Option("--key <key>", "an API key").env("SECAPI_API_KEY").makeOptionMandatory())
  .option(
    "--type <types>",
    "what to scan, comma-separated: dependencies, secrets, image (default: dependencies; only image when --image or --image-archive is given)",
    parseScanKinds,
  )
  .option("--image <ref>", "an image the server pulls and scans, e.g. ghcr.io/org/app:1.2 (repeatable; implies --type image)", collect)
  .option("--platform <os/arch>", "the platform of a multi-platform --image, e.g. linux/arm64 (default: the server's, linux/amd64)")
  .option(
    "--image-archive <file>",
    "a `docker save` or OCI image-layout tar to upload and scan (repeatable; implies --type image)",
    collect,
  )
  .addOption(
    new Option("--fail-on <severity>", "exit 1 when a finding at or above this severity is present (none: never)")
      .choices([...SEVERITY_ORDER, "none"])
      .default("unknown"),
  )
  .addOption(new Option("--format <format>", "report format").choices(["table", "json", "sarif"]).default("table"))
  .option("--output <file>", "write the report to FILE instead of stdout")
  .option("--label <k=v>", "a label for the scans (repeatable); git ref and commit are added automatically", parseLabel, {})
  .option(
    "--max-retry-after <seconds>",
    "longest Retry-After of a 429 to wait for before trying again; a longer one is an error (exit 2)",
    parseSeconds,
    DEFAULT_MAX_RETRY_AFTER_SECONDS,
  )
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_ERROR);
  })
  .action(
    async (
      path: string,
      options: {
        url: string;
        key: string;
        type?: ScanKind[];
        image?: string[];
        imageArchive?: string[];
        platform?: string;
        failOn: Severity | "none";
        format: "table" | "json" | "sarif";
        output?: string;
        label: Record<string, string>;
        maxRetryAfter: number;
      },
    ) => {
      try {
        const images = { references: options.image ?? [], archives: options.imageArchive ?? [], platform: options.platform };
        process.exitCode = await runScanCommand(path, {
          url: options.url,
          key: options.key,
          types: selectScanKinds(options.type, images),
          images,
          failOn: options.failOn,
          format: options.format,
          output: options.output,
          labels: options.label,
          maxRetryAfterSeconds: options.maxRetryAfter,
          version,
        });
      } catch (error) {
        console.error(`secapi scan: ${(error as Error).message}`);
        process.exitCode = EXIT_ERROR;
      }
    },
  );

program.parseAsync().catch((error: Error & { code?: string }) => {
  console.error(`secapi: ${error.message}`);
  process.exitCode = 1;
});
