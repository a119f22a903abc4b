import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `pnpm bench`: every `bench/*.bench.ts`, one after another (they would disturb each other in parallel),
 * or only those whose name contains an argument: `pnpm bench limiter`.
 */
const dir = fileURLToPath(new URL(".", import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

console.log(`# SecAPI benchmarks (${new Date().toISOString()}, node ${process.version})`);
for (const file of files) {
  const bench = (await import(`${dir}${file}`)) as { default: () => Promise<void> };
  await bench.default();
}
process.exit(0);
