import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./template-database.js";
import { waitFor } from "./wait-for.js";

/** One of the apps, started from its build as a real process (e2e tests). Output is kept for assertions. */
export class AppProcess {
  readonly output: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => this.output.push(chunk.toString("utf8"));
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Starts `apps/<app>/dist/main.js` with the given environment on top of the test's. */
  static start(app: string, env: Record<string, string>): AppProcess {
    const child = spawn(process.execPath, [`${REPO_ROOT}apps/${app}/dist/main.js`], {
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new AppProcess(app, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits until `url` answers 200, failing early with the output if the process died. */
  async waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited (${this.exitCode}):\n${this.logs()}`);
        const response = await fetch(url).catch(() => undefined);
        return response?.ok;
      },
      { timeoutMs, what: `${this.name} at ${url}` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${this.name} output ---\n${this.logs()}`);
    });
  }

  logs(): string {
    return this.output.join("");
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
