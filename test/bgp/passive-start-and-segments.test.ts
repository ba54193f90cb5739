/** FSM details the transition table does not show: a passive start is remembered; AS_PATH segments need ASNs. */
import { expect, test } from 'bun:test';
import { initialState, keepaliveInterval, step } from '../../agent/bgp/fsm/index.ts';
import { decodeSegments } from '../../agent/bgp/wire/index.ts';

const CONFIG = {
  holdTimeSeconds: 90,
  keepAliveTimeSeconds: 30,
  connectRetryTimeSeconds: 120,
  passive: false,
};

test('ManualStart_with_PassiveTcpEstablishment leaves Idle for Active and marks the session passive', () => {
  const r = step(initialState(CONFIG), { type: 'ManualStart_with_PassiveTcpEstablishment' }, 0, () => 0.5);
  expect(r.state.name).toBe('Active');
  expect(r.state.config.passive).toBe(true);
  expect(r.state.stopped).toBe(false);
});

test('an AS_PATH segment with no ASNs, or of an unknown type, is malformed', () => {
  expect(decodeSegments(new Uint8Array([2, 1, 0xfd, 0xe8]), 2)).toEqual([{ type: 2, asns: [65000] }]);
  expect(decodeSegments(new Uint8Array([2, 0]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([2, 1, 0xfd, 0xe8, 1, 0]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([0, 1, 0xfd, 0xe8]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([5, 1, 0xfd, 0xe8]), 2)).toBeUndefined();
  expect(decodeSegments(new Uint8Array([4, 1, 0xfd, 0xe8]), 2)).toEqual([{ type: 4, asns: [65000] }]);
  expect(decodeSegments(new Uint8Array([1, 1, 0, 0, 0xfd, 0xe8]), 4)).toEqual([{ type: 1, asns: [65000] }]);
});

test('keepalive interval: at least 1 s even when a third of the hold time rounds to 0', () => {
  expect(keepaliveInterval(2, 30)).toBe(1000);
  expect(keepaliveInterval(2, 0)).toBe(1000);
  expect(keepaliveInterval(0, 30)).toBe(0);
  expect(keepaliveInterval(90, 0)).toBe(30_000);
  expect(keepaliveInterval(90, 10)).toBe(10_000);
});
