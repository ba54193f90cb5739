/** Driving a FakeClock with promises in flight: microtasks run between 10 ms steps (bounded). */
import type { FakeClock } from '../../../agent/lib/clock.ts';

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Advances `ms` in 10 ms steps, flushing and calling `each` after every step. */
export async function step(clock: FakeClock, ms: number, each?: () => void): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await flush();
    each?.();
  }
}
