/**
 * Remembers the Redis commands that timed out and have not been answered yet. Redis answers a connection's
 * commands in order, so while one of them is unanswered anything sent now would wait behind it, past its
 * own timeout: such a call should not be sent at all. The first answer after a stall (Redis is back) is
 * reported once, when the last of them settles.
 */
export class StallGuard {
  private unanswered = 0;

  constructor(private readonly onAnswered: () => void) {}

  /** Whether a command that timed out is still waiting for its answer. */
  get stalled(): boolean {
    return this.unanswered > 0;
  }

  /** Watches a command that timed out until Redis answers it (or the connection fails it). */
  track(command: Promise<unknown>): void {
    this.unanswered++;
    const settled = () => {
      if (--this.unanswered === 0) this.onAnswered();
    };
    command.then(settled, settled);
  }
}
