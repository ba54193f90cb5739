/**
 * The loop's incremental path, with a source that names the Services that changed (as the
 * Kubernetes source does) and replaces objects on every change, status writes included (the
 * echo of a write is a new object, as a MODIFIED event is): an echo does not reach the
 * allocator, a changed Service does, only changed or moved Services have their status
 * compared, and the periodic full pass repairs what the feed missed.
 */
import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { setup } from './feed-source.ts';

const upserts = spyOn(Ipam.prototype, 'upsertService');
const restores = spyOn(Ipam.prototype, 'restore');
afterEach(() => {
  upserts.mockClear();
  restores.mockClear();
});

describe('incremental reconcile (change feed)', () => {
  test('the echoes of our own status writes do not reach the allocator and write nothing', async () => {
    const { source, r, speaker } = setup();
    await r.runNow();
    expect(restores).toHaveBeenCalledTimes(1);
    expect([source.ips('a'), source.ips('b'), source.ips('c')]).toEqual([['10.0.0.1'], ['10.0.0.2'], []]);
    expect(speaker.adverts.get('192.168.2.1')).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
    const writes = source.writes.length;
    upserts.mockClear();
    // The pass above saw 3 echoes (one per status write); this pass handles them.
    await r.runNow();
    expect(upserts).not.toHaveBeenCalled();
    expect(source.writes.length).toBe(writes);
    expect(restores).toHaveBeenCalledTimes(1);
  });

  test('a pass looks only at the Services that changed', async () => {
    const { source, r } = setup();
    await r.runNow();
    await r.runNow();
    const results = spyOn(Ipam.prototype, 'result');
    try {
      // A status-only change (an echo): compared with its result, not given to the allocator.
      const b = source.get('b');
      source.put({ ...b, metadata: { ...b.metadata } });
      await r.runNow();
      expect(upserts).not.toHaveBeenCalled();
      expect(new Set(results.mock.calls.map((c) => c[0]))).toEqual(new Set(['default/b']));
      // An annotation that changes nothing for the allocator still re-evaluates that Service only.
      results.mockClear();
      const a = source.get('a');
      source.put({ ...a, metadata: { ...a.metadata, annotations: { note: 'x' } } });
      await r.runNow();
      expect(upserts.mock.calls.map((c) => c[0].key)).toEqual(['default/a']);
      expect(new Set(results.mock.calls.map((c) => c[0]))).toEqual(new Set(['default/a']));
    } finally {
      results.mockRestore();
    }
  });

  test('a changed Service is re-evaluated, alone; the Service its change frees an IP for is written', async () => {
    const { source, r, speaker } = setup();
    await r.runNow();
    await r.runNow();
    upserts.mockClear();
    source.writes = [];
    // a asks for a pinned IP outside the pool: it loses 10.0.0.1, which c (waiting) then takes.
    const a = source.get('a');
    source.put({ ...a, metadata: { ...a.metadata, annotations: { 'edgelb.io/ips': '10.9.9.9' } } });
    await r.runNow();
    expect(upserts.mock.calls.map((c) => c[0].key)).toEqual(['default/a']);
    expect(source.writes.map((w) => w.key).sort()).toEqual(['default/a', 'default/c']);
    expect([source.ips('a'), source.ips('b'), source.ips('c')]).toEqual([[], ['10.0.0.2'], ['10.0.0.1']]);
    await r.runNow();
    expect(speaker.adverts.get('192.168.2.1')).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
  });

  test('a deleted Service frees its IP for the one waiting, without a full pass', async () => {
    const { source, r } = setup();
    await r.runNow();
    await r.runNow();
    upserts.mockClear();
    source.remove('default/b');
    await r.runNow();
    expect(upserts).not.toHaveBeenCalled();
    expect(source.ips('c')).toEqual(['10.0.0.2']);
  });

  test('a failed write is retried by the next pass even though nothing changed', async () => {
    const { source, r } = setup();
    source.failNext.add('default/b');
    await r.runNow();
    expect(source.ips('b')).toEqual([]);
    await r.runNow();
    expect(source.ips('b')).toEqual(['10.0.0.2']);
  });

  test('a failed write is retried on its own, with backoff, when nothing else happens', async () => {
    const { source, clock, r } = setup();
    source.failNext.add('default/b');
    await r.runNow();
    expect(source.ips('b')).toEqual([]);
    clock.advance(400); // before the first retry (500 ms)
    for (let i = 0; i < 20 && !r.isIdle; i++) await Bun.sleep(1);
    expect(source.ips('b')).toEqual([]);
    clock.advance(100);
    clock.advance(10); // the debounce of the triggered pass
    for (let i = 0; i < 20 && !r.isIdle; i++) await Bun.sleep(1);
    expect(source.ips('b')).toEqual(['10.0.0.2']);
  });

  test('a failed release defers the reuse of its IP (the holder is found among the writes due)', async () => {
    const { source, r } = setup();
    await r.runNow();
    await r.runNow();
    source.writes = [];
    // b asks for a's IP: it loses 10.0.0.2 (ip-in-use), which c may take only after b's release.
    const b = source.get('b');
    source.put({ ...b, metadata: { ...b.metadata, annotations: { 'edgelb.io/ips': '10.0.0.1' } } });
    source.failNext.add('default/b');
    await r.runNow();
    expect(source.ips('b')).toEqual(['10.0.0.2']);
    expect(source.ips('c')).toEqual([]);
    await r.runNow();
    expect(source.writes.map((w) => `${w.key}:${w.ips.join(',')}`)).toEqual([
      'default/b:',
      'default/c:10.0.0.2',
    ]);
  });

  test('the periodic full pass repairs a status the feed never reported', async () => {
    const { source, clock, r } = setup({ fullResyncMs: 60_000 });
    await r.runNow();
    await r.runNow();
    const a = source.get('a');
    source.put({ ...a, status: {} }, { silently: true });
    await r.runNow();
    expect(source.ips('a')).toEqual([]); // not named by the feed: not looked at
    clock.advance(60_000); // the resync timer triggers a full pass (after the debounce)
    clock.advance(10);
    for (let i = 0; i < 20 && !r.isIdle; i++) await Bun.sleep(1);
    expect(source.ips('a')).toEqual(['10.0.0.1']);
    expect(upserts).not.toHaveBeenCalled();
    r.stop();
  });

  test('a burst is written in slices, each announced before the next is written', async () => {
    const { source, r, speaker } = setup({ maxWritesPerPass: 1 });
    const seen: string[][] = [];
    const set = speaker.setAdvertisements.bind(speaker);
    speaker.setAdvertisements = (m) => {
      seen.push([...(m.get('192.168.2.1') ?? [])]);
      set(m);
    };
    await r.runNow();
    expect([source.ips('a'), source.ips('b'), source.ips('c')]).toEqual([['10.0.0.1'], ['10.0.0.2'], []]);
    expect(source.writes.map((w) => w.key)).toEqual(['default/a', 'default/b', 'default/c']);
    // Each pass announces what the echoes of its slice show (unchanged adverts are not resent).
    expect(seen).toEqual([['10.0.0.1/32'], ['10.0.0.1/32', '10.0.0.2/32']]);
    expect(r.passCount).toBe(3);
  });

  test('a slice keeps an IP move together: the release is written before the reuse', async () => {
    const { source, r } = setup({ maxWritesPerPass: 1 });
    await r.runNow();
    source.writes = [];
    const b = source.get('b');
    source.put({ ...b, metadata: { ...b.metadata, annotations: { 'edgelb.io/ips': '10.0.0.1' } } });
    await r.runNow();
    expect(source.writes.map((w) => `${w.key}:${w.ips.join(',')}`)).toEqual([
      'default/b:',
      'default/c:10.0.0.2',
    ]);
  });

  test('after a burst the heap is collected once the loop is quiet', async () => {
    const { r, clock, collected } = setup();
    const t0 = clock.now();
    await r.runNow(); // 3 Services restored, 3 writes: above collectAfter (4)
    expect(collected).toEqual([]);
    clock.advance(999);
    expect(collected).toEqual([]);
    clock.advance(1);
    expect(collected).toEqual([t0 + 1000]);
    // A quiet pass (the 3 echoes) is not a burst.
    await r.runNow();
    clock.advance(5000);
    expect(collected).toEqual([t0 + 1000]);
    r.stop();
  });

  test('a follower drops its IPAM state; leading again restores from status', async () => {
    const { source, r } = setup();
    await r.runNow();
    source.leader = false;
    await r.runNow();
    expect(r.results()).toEqual([]);
    source.leader = true;
    const before = source.writes.length;
    await r.runNow();
    expect(restores).toHaveBeenCalledTimes(2);
    expect(source.writes.length).toBe(before);
    expect(source.ips('a')).toEqual(['10.0.0.1']);
  });
});
