/**
 * reconcile/maintenance.ts on the fake clock: a drain saves its state first, withdraws, waits
 * for every session's send queue to empty, settles; a second drain while one runs is Busy and
 * changes nothing; a state that cannot be saved changes nothing; undrain; the shutdown path.
 */
import { describe, expect, test } from 'bun:test';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { type DrainedStorePort, Maintenance } from '../../agent/reconcile/maintenance.ts';

function world(o: { saveFails?: boolean; loaded?: boolean; unreadable?: boolean } = {}) {
  const clock = new FakeClock();
  const saved: { drained: boolean }[] = [];
  const store: DrainedStorePort = {
    load: () =>
      o.unreadable ? { ok: false, message: 'garbage' } : { ok: true, value: { drained: o.loaded ?? false } },
    save: (r) => {
      if (o.saveFails) return { ok: false, message: 'cannot write /x: EROFS' };
      saved.push(r);
      return { ok: true };
    },
  };
  let queue: { peer: string; bytes: number | undefined }[] = [];
  const applied: boolean[] = [];
  const m: Maintenance = new Maintenance({
    clock,
    store,
    apply: async () => {
      applied.push(m.drained || m.shuttingDown);
      // the withdrawals go out: something sits in a send queue until the peer acknowledges it
      if (m.drained || m.shuttingDown) queue = [{ peer: '192.168.2.1:179', bytes: 23 }];
    },
    speaker: () => ({ unacknowledged: () => queue }),
    withholds: () => (m.drained ? [{ reason: 'NodeDrained', message: 'drained' }] : []),
    settleMs: 1000,
    timeoutMs: 10_000,
    log: memoryLogger(),
  });
  const ack = () => {
    queue = [];
  };
  /** Lets promises run, then moves the clock. */
  const tick = async (ms: number) => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { clock, m, saved, applied, ack, tick };
}

describe('Maintenance: edgelb drain', () => {
  test('returns only after the acknowledgement and the settle delay', async () => {
    const w = world();
    let done: unknown;
    const p = w.m.drain({ settleMs: 1000, timeoutMs: 10_000 }).then((r) => {
      done = r;
    });
    expect(w.saved).toEqual([{ drained: true, since: expect.any(String) } as never]);
    await w.tick(500);
    expect(done).toBeUndefined(); // 23 bytes not acknowledged
    w.ack();
    await w.tick(20); // acknowledged: the settle delay starts
    expect(done).toBeUndefined();
    await w.tick(999);
    expect(done).toBeUndefined();
    await w.tick(10);
    await p;
    expect(done).toMatchObject({ ok: true, state: { drained: true } });
    expect((done as { message: string }).message).toMatch(
      /acknowledged the withdrawals in 5\d\d ms, then 1 s settle/,
    );
    expect(w.applied).toEqual([true]);
  });

  test('a second drain while the first runs: Busy, nothing changed; after it, a drain runs again', async () => {
    const w = world();
    const first = w.m.drain({ settleMs: 0, timeoutMs: 10_000 });
    const second = await w.m.drain({ settleMs: 0, timeoutMs: 10_000 });
    expect(second).toMatchObject({ ok: false, code: 'Busy' });
    expect(await w.m.undrain()).toMatchObject({ ok: false, code: 'Busy' });
    expect(w.saved.length).toBe(1);
    expect(w.m.drained).toBe(true);
    w.ack();
    await w.tick(20);
    expect(await first).toMatchObject({ ok: true });
  });

  test('the state cannot be saved: refused, nothing withdrawn', async () => {
    const w = world({ saveFails: true });
    const r = await w.m.drain({ settleMs: 0, timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, code: 'StateNotSaved' });
    expect((r as { message: string }).message).toMatch(/nothing withdrawn: cannot write \/x: EROFS/);
    expect(w.m.drained).toBe(false);
    expect(w.applied).toEqual([]);
  });

  test('never acknowledged: NotAcknowledged naming the peer, the node stays drained', async () => {
    const w = world();
    const p = w.m.drain({ settleMs: 1000, timeoutMs: 2000 });
    for (let i = 0; i < 110; i++) await w.tick(20);
    const r = await p;
    expect(r).toMatchObject({ ok: false, code: 'NotAcknowledged' });
    expect((r as { message: string }).message).toMatch(
      /peer 192\.168\.2\.1:179 has not acknowledged 23 bytes within 2 s/,
    );
    expect(w.m.drained).toBe(true);
  });

  test('undrain saves, announces again; the drained state is read back at start', async () => {
    const w = world({ loaded: true });
    expect(w.m.drained).toBe(true);
    const r = await w.m.undrain();
    expect(r).toMatchObject({ ok: true, message: 'undrained: announcing again', state: { drained: false } });
    expect(w.saved).toEqual([{ drained: false }]);
    expect(w.applied).toEqual([false]);
  });

  test('an unreadable state file keeps the node drained (the safe side) until undrain', () => {
    const w = world({ unreadable: true });
    expect(w.m.drained).toBe(true);
    expect(w.m.loadProblem).toMatch(/garbage/);
  });
});

describe('Maintenance: the machine shuts down', () => {
  test('withdraws (not saved), waits for the acknowledgement, settles; drain is refused meanwhile', async () => {
    const w = world();
    let done = false;
    const p = w.m.withdrawForShutdown(8000).then(() => {
      done = true;
    });
    expect(w.m.shuttingDown).toBe(true);
    expect(await w.m.drain({ settleMs: 0, timeoutMs: 1 })).toMatchObject({ ok: false, code: 'Stopping' });
    await w.tick(100);
    expect(done).toBe(false);
    w.ack();
    await w.tick(20);
    await w.tick(1000);
    await p;
    expect(done).toBe(true);
    expect(w.saved).toEqual([]);
  });
});
