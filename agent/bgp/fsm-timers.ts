/** SHELL. The FSM's named timers on the injected clock: starting one replaces it. */
import type { Clock, Timer } from '../lib/clock.ts';
import type { TimerName } from './fsm/types.ts';

export class FsmTimers {
  private timers = new Map<TimerName, Timer>();

  constructor(
    private readonly clock: Clock,
    private readonly expired: (t: TimerName) => void,
  ) {}

  start(t: TimerName, ms: number): void {
    this.stop(t);
    this.timers.set(
      t,
      this.clock.setTimer(ms, () => {
        this.timers.delete(t);
        this.expired(t);
      }),
    );
  }

  stop(t: TimerName): void {
    this.timers.get(t)?.cancel();
    this.timers.delete(t);
  }
}
