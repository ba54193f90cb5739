/** rib/refresh-queue.ts: coalesced, paced ROUTE-REFRESH re-sends, step by step. */
import { expect, test } from 'bun:test';
import { REFRESH_MIN_INTERVAL_MS, RefreshQueue } from '../../agent/bgp/rib/refresh-queue.ts';

test('one second between the starts of two re-sends of a family', () => {
  expect(REFRESH_MIN_INTERVAL_MS).toBe(1000);
});

test('a request queues one re-send; more while it waits are coalesced', () => {
  const q = new RefreshQueue();
  expect([q.active, q.coalesced, q.waiting, q.start(0)]).toEqual([undefined, 0, 0, undefined]);
  expect(q.request('ipv4')).toBe(true);
  expect(q.request('ipv4')).toBe(false);
  expect(q.request('ipv4')).toBe(false);
  expect([q.coalesced, q.waiting]).toEqual([2, 1]);
  expect(q.start(5000)).toEqual({ family: 'ipv4' });
  expect([q.active, q.waiting]).toEqual(['ipv4', 0]);
  // in flight: one more request queues (no coalescing with the active one)
  expect(q.request('ipv4')).toBe(true);
  q.finish();
  expect(q.active).toBeUndefined();
  expect(q.start(5999)).toEqual({ wakeAt: 6000 });
  expect(q.active).toBeUndefined();
  expect(q.start(6000)).toEqual({ family: 'ipv4' });
  q.finish();
  expect(q.start(6000)).toBeUndefined();
});

test('the wake-up is the earliest due family, whatever the queue order', () => {
  const paced = (first: 'ipv4' | 'ipv6') => {
    const q = new RefreshQueue();
    q.request('ipv4');
    expect(q.start(6000)).toEqual({ family: 'ipv4' });
    q.finish();
    q.request('ipv6');
    expect(q.start(5500)).toEqual({ family: 'ipv6' });
    q.finish();
    q.request(first);
    q.request(first === 'ipv4' ? 'ipv6' : 'ipv4');
    return q.start(6100);
  };
  expect(paced('ipv4')).toEqual({ wakeAt: 6500 });
  expect(paced('ipv6')).toEqual({ wakeAt: 6500 });
});

test('clear drops what is owed but keeps the pacing', () => {
  const q = new RefreshQueue();
  q.request('ipv6');
  expect(q.start(100)).toEqual({ family: 'ipv6' });
  q.request('ipv6');
  q.clear();
  expect([q.active, q.waiting, q.start(200)]).toEqual([undefined, 0, undefined]);
  q.request('ipv6');
  expect(q.start(200)).toEqual({ wakeAt: 1100 });
});
