import { type ChildProcess, spawn } from "node:child_process";
import { type ChildExit, describeExit, exitOf } from "./child-exit.js";
import { pipePrefixed } from "./prefixed-output.js";
import { RestartBackoff } from "./restart-backoff.js";

export interface SupervisedAppOptions {
  name: string;
  /** The Node script to run. */
  script: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Put before each line of the app's output. */
  prefix: string;
  /** The supervisor's own log lines. */
  log: (message: string) => void;
  backoff?: RestartBackoff;
}

/**
 * One app as a child process: restarted with back-off whenever it exits on its own, and stopped with exactly one
 * SIGTERM, after which it drains and exits by itself.
 *
 * The child gets a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground group) reaches
 * only the supervisor, which passes it on once: the app never sees a second signal that would cut its drain short.
 */
export class SupervisedApp {
  private running: { child: ChildProcess; exit: Promise<ChildExit>; startedAt: number } | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly backoff: RestartBackoff;

  constructor(private readonly options: SupervisedAppOptions) {
    this.backoff = options.backoff ?? new RestartBackoff();
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    const { name, script, env, cwd, prefix, log } = this.options;
    const child = spawn(process.execPath, [script], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.stdout) pipePrefixed(child.stdout, process.stdout, prefix);
    if (child.stderr) pipePrefixed(child.stderr, process.stderr, prefix);
    child.on("error", (error) => log(`${name}: ${error.message}`));
    const running = { child, exit: exitOf(child), startedAt: Date.now() };
    this.running = running;
    log(`${name} started (pid ${child.pid})`);
    void running.exit.then((exit) => this.onExit(running, exit));
  }

  private onExit(run: NonNullable<SupervisedApp["running"]>, exit: ChildExit): void {
    if (this.running === run) this.running = undefined;
    // During a stop, stop() reports the exit.
    if (this.stopping) return;
    const ranMs = Date.now() - run.startedAt;
    const delay = this.backoff.next(ranMs);
    this.options.log(
      `${this.name} exited on its own (${describeExit(exit)}) after ${Math.round(ranMs / 1000)} s; restarting in ${delay / 1000} s`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start();
    }, delay);
  }

  /**
   * Sends the app one SIGTERM and waits until it has drained and exited (SIGKILL after `timeoutMs`); a pending
   * restart is cancelled. Resolves true if it exited with code 0 (or was not running).
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const run = this.running;
    if (!run) return true;
    run.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      this.options.log(`${this.name} did not stop within ${timeoutMs / 1000} s; killing it`);
      run.child.kill("SIGKILL");
    }, timeoutMs);
    const exit = await run.exit;
    clearTimeout(timer);
    this.options.log(`${this.name} stopped (${describeExit(exit)})`);
    return exit.code === 0;
  }

  /** Kills the app at once (a second Ctrl-C); a stop() in progress then resolves. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.running?.child.kill("SIGKILL");
  }
}
