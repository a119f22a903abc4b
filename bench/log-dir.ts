import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let runDir: string | undefined;

/**
 * Where a process a bench starts writes its log: in this run's own directory (`$TMPDIR/secapi-bench-XXXXXX`), so
 * that two runs at once do not write over each other's logs. The directory is made, and named on stdout, at first
 * use; it is kept after the run, for reading.
 */
export function benchLogPath(fileName: string): string {
  if (runDir === undefined) {
    runDir = mkdtempSync(join(tmpdir(), "secapi-bench-"));
    console.log(`  (logs of the processes this run starts: ${runDir})`);
  }
  return join(runDir, fileName);
}
