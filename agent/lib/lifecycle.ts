/**
 * Ordered start and reverse-order stop of the agent's components, with a deadline on
 * stopping so a wedged component cannot keep the process alive past systemd's patience
 * (timed on the monotonic clock: a step of the wall clock neither cuts it short nor extends it).
 */
import type { Logger } from './log.ts';

export interface Component {
  name: string;
  stop(): Promise<void> | void;
}

export class Lifecycle {
  private readonly started: Component[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers a component that has started; it will be stopped before those registered earlier. */
  add(c: Component): void {
    this.started.push(c);
  }

  /** Stops everything in reverse order; each component gets its share of deadlineMs. */
  stop(deadlineMs = 4500): Promise<void> {
    this.stopping ??= (async () => {
      const end = performance.now() + deadlineMs;
      for (const c of [...this.started].reverse()) {
        const left = Math.max(100, Math.round(end - performance.now()));
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          await Promise.race([
            Promise.resolve(c.stop()),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`did not stop within ${left} ms`)), left);
            }),
          ]);
          this.log.debug('stopped', { component: c.name });
        } catch (err) {
          this.log.warn('component failed to stop cleanly', {
            component: c.name,
            error: (err as Error).message,
          });
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.stopping;
  }
}
