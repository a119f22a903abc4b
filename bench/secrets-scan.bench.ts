import { randomBytes } from "node:crypto";
import { scanSecrets } from "@secapi/scanners";
import { measureSerial, report } from "./harness.js";

/**
 * The secrets scanner's speed, which the tests only print (a loaded CI machine must not fail a build on it):
 * about 5 MB of mixed text with one planted key, against the target of well under 5 s, and against a baseline
 * that only reads it (splitting it into lines). A long minified line of 1 MB with a match every 42 bytes is
 * timed against a quarter of it: about 4x is linear.
 */

const ITERATIONS = 5;
const TARGET_MS = 5000;
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const random = (alphabet: string, n: number) => Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");

function mixedText(bytes: number): string {
  const samples = [
    "const token = await getToken(request.headers.authorization);",
    "password: ${DB_PASSWORD}  # from the vault",
    "The secret to good APIs is small, typed pieces; see the auth section below.",
    'logger.info({ user: id, event: "login" }, "user signed in");',
    "DATABASE_URL=postgres://app@db.internal:5432/app",
    "-----BEGIN CERTIFICATE----- (public, not a private key)",
    "ümlaut → 测试 — emoji 🔐 and tabs\tand\tcarriage returns\r",
  ];
  const lines: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const line = samples[i % samples.length] ?? "";
    lines.push(line);
    size += line.length + 1;
  }
  lines[Math.floor(lines.length / 2)] = `aws_access_key_id = AKIA${random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
  return lines.join("\n");
}

function minifiedLine(bytes: number): string {
  const parts: string[] = [];
  for (let size = 0; size < bytes; size += parts.at(-1)?.length ?? 0) parts.push(`token="${random(ALNUM, 32)}";`);
  return parts.join("");
}

export default async function secretsScanBench(): Promise<void> {
  const text = mixedText(5 * 1024 * 1024);
  const scan = (path: string, content: string) => scanSecrets({ files: [{ path, content }] });
  const reading = await measureSerial("split into lines (baseline)", () => text.split("\n"), ITERATIONS);
  const mixed = await measureSerial(
    `scanSecrets, ${(text.length / 1e6).toFixed(1)} MB mixed text`,
    () => scan("big.log", text),
    ITERATIONS,
  );
  const whole = minifiedLine(1_000_000);
  const quarter = minifiedLine(250_000);
  const quarterRun = await measureSerial("scanSecrets, 250 KB minified line", () => scan("q.min.js", quarter), ITERATIONS);
  const wholeRun = await measureSerial("scanSecrets, 1 MB minified line", () => scan("w.min.js", whole), ITERATIONS);
  report(
    "Secrets scanner",
    reading,
    [mixed, quarterRun, wholeRun],
    [
      `5 MB of mixed text: p50 ${mixed.p50Ms.toFixed(0)} ms, ${(mixed.p50Ms / TARGET_MS).toFixed(3)} of the ${TARGET_MS} ms target; ` +
        `${(mixed.p50Ms / reading.p50Ms).toFixed(1)}x the time of splitting it into lines.`,
      `One long line, 4x the input: ${(wholeRun.p50Ms / quarterRun.p50Ms).toFixed(1)}x the time (linear: ~4x; quadratic: ~16x).`,
    ],
  );
}
