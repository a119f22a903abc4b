import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isoTimeOncePerMillisecond, resolveLogFormat } from "./logger.js";

const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** What a process that logs one line with `format` writes to its (piped, so not a terminal) stdout. */
function logLine(format: string | undefined): string {
  const script =
    `const { createLogger } = await import(${JSON.stringify(built)});` +
    `createLogger({ service: "svc", level: "info", format: ${JSON.stringify(format)} }).info({ api_key: "sk_x" }, "hello");`;
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}

describe("resolveLogFormat", () => {
  it("takes LOG_FORMAT when set, else pretty on a terminal and JSON otherwise", () => {
    expect(resolveLogFormat("json", true)).toBe("json");
    expect(resolveLogFormat("pretty", false)).toBe("pretty");
    expect(resolveLogFormat(undefined, true)).toBe("pretty");
    expect(resolveLogFormat(undefined, false)).toBe("json");
  });
});

describe("createLogger", () => {
  it("writes one JSON object per line when not on a terminal", () => {
    const line = JSON.parse(logLine(undefined).trim());
    expect(line).toMatchObject({ level: 30, service: "svc", msg: "hello", api_key: "[redacted]" });
  });

  it("writes a buffered JSON line while the process goes on, without waiting for lines to fill the buffer", async () => {
    // One line, then the process stays up (until killed): the line must come out on its own.
    const script =
      `const { createLogger } = await import(${JSON.stringify(built)});` +
      `createLogger({ service: "svc", level: "info", format: "json" }).info("alone");` +
      `setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("\n")) resolve(text);
        });
        child.once("exit", () => reject(new Error(`exited before writing its line: ${JSON.stringify(text)}`)));
      });
      expect(JSON.parse(output.trim())).toMatchObject({ msg: "alone", service: "svc" });
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);

  it("writes a readable line with pretty, redacting the same fields", () => {
    const output = logLine("pretty");
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello\n/);
    expect(output).toContain('api_key: "[redacted]"');
    expect(output).not.toContain("sk_x");
  });
});

describe("isoTimeOncePerMillisecond", () => {
  it("formats pino's time field as isoTime does, anew whenever the millisecond changes", () => {
    let now = Date.UTC(2026, 11, 3, 15, 4, 5, 6);
    const time = isoTimeOncePerMillisecond(() => now);
    expect(time()).toBe(',"time":"2026-12-03T15:04:05.006Z"');
    expect(time()).toBe(',"time":"2026-12-03T15:04:05.006Z"');
    now += 1;
    expect(time()).toBe(',"time":"2026-12-03T15:04:05.007Z"');
    now -= 1000;
    expect(time()).toBe(',"time":"2026-12-03T15:04:04.007Z"');
  });
});
