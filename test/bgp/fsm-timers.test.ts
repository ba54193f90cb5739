/** fsm-timers.ts: named timers on the injected clock; starting one replaces it. */
import { expect, test } from 'bun:test';
import type { TimerName } from '../../agent/bgp/fsm/types.ts';
import { FsmTimers } from '../../agent/bgp/fsm-timers.ts';
import { FakeClock } from '../../agent/lib/clock.ts';

test('expiry, replacement and stop', () => {
  const clock = new FakeClock();
  const fired: TimerName[] = [];
  const t = new FsmTimers(clock, (n) => fired.push(n));
  t.start('HoldTimer', 1000);
  t.start('KeepaliveTimer', 300);
  t.start('HoldTimer', 2000); // replaces the first
  clock.advance(1500);
  expect(fired).toEqual(['KeepaliveTimer']);
  t.stop('HoldTimer');
  clock.advance(1000);
  expect(fired).toEqual(['KeepaliveTimer']);
  expect(clock.pending()).toBe(0);
});
