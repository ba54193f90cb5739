/** The BFD profile defaults and the 1 ms floor of a jittered interval. */
import { expect, test } from 'bun:test';
import { initialState } from '../../agent/bfd/fsm.ts';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { jitteredIntervalMs } from '../../agent/bfd/timers.ts';

test('the BFD profile defaults (MetalLB’s)', () => {
  expect(DEFAULT_BFD_PROFILE).toEqual({
    receiveIntervalMs: 300,
    transmitIntervalMs: 300,
    detectMultiplier: 3,
    passiveMode: false,
    minimumTtl: 254,
  });
});

test('a jittered interval is at least 1 ms', () => {
  expect(jitteredIntervalMs(1000, 3, () => 0)).toBe(1);
  expect(jitteredIntervalMs(100, 1, () => 0.99)).toBe(1);
  expect(jitteredIntervalMs(300_000, 3, () => 0)).toBe(225);
  expect(jitteredIntervalMs(300_000, 1, () => 0.999999)).toBe(269);
});

test('a new session is Down, not polling, at the slow-start rate', () => {
  const s = initialState(
    { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false },
    7,
  );
  expect([s.sessionState, s.polling, s.localDiscr, s.remoteDiscr]).toEqual(['Down', false, 7, 0]);
  expect(s.desiredMinTxUs).toBe(Math.max(300_000, 1_000_000));
});
