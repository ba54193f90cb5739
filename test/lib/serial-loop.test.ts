/** The serial loop on the fake clock: debounce, coalescing, bounded passes, retry with backoff. No sleeps. */
import { describe, expect, test } from 'bun:test';
import { FakeClock } from '../../agent/lib/clock.ts';
import { SerialLoop, type SerialLoopOptions } from '../../agent/lib/serial-loop.ts';

const BACKOFF = { baseMs: 500, capMs: 4000, jitter: 0 };

function setup(o: Partial<SerialLoopOptions> & { body?: (n: number) => void | Promise<void> } = {}) {
  const clock = new FakeClock();
  const errors: string[] = [];
  let passes = 0;
  let runs = 0;
  const loop: SerialLoop = new SerialLoop({
    clock,
    debounceMs: 10,
    maxPasses: 5,
    onError: (e) => errors.push(e.message),
    afterRun: () => runs++,
    pass: async () => {
      passes++;
      await o.body?.(passes);
    },
    ...o,
  });
  /** Advances the clock and lets the run it starts finish. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await loop.settled();
  };
  return { clock, loop, errors, advance, passes: () => passes, runs: () => runs };
}

describe('SerialLoop', () => {
  test('triggers within the debounce make one pass, after the debounce', async () => {
    const t = setup();
    t.loop.trigger();
    t.loop.trigger();
    await t.advance(9);
    expect(t.passes()).toBe(0);
    expect(t.loop.isIdle).toBe(false);
    t.loop.trigger();
    await t.advance(1);
    expect(t.passes()).toBe(1);
    expect(t.loop.isIdle).toBe(true);
    expect(t.clock.pending()).toBe(0);
  });

  test('triggers during a pass coalesce into exactly one more pass', async () => {
    let release: () => void = () => {};
    const t = setup({
      body: (n) => {
        if (n === 1) return new Promise<void>((r) => (release = r));
      },
    });
    const run = t.loop.runNow();
    t.loop.trigger();
    t.loop.trigger();
    expect(t.loop.isRunning).toBe(true);
    release();
    await run;
    expect(t.passes()).toBe(2);
    expect(t.runs()).toBe(1);
    expect(t.clock.pending()).toBe(0);
  });

  test('runNow while running returns the same run and asks for one more pass', async () => {
    let release: () => void = () => {};
    const t = setup({ body: (n) => (n === 1 ? new Promise<void>((r) => (release = r)) : undefined) });
    const a = t.loop.runNow();
    const b = t.loop.runNow();
    expect(b).toBe(a);
    release();
    await a;
    expect(t.passes()).toBe(2);
  });

  test('passes are bounded: a burst yields after maxPasses and carries on after the debounce', async () => {
    const t = setup({ body: () => t.loop.passAgain() });
    await t.loop.runNow();
    expect(t.passes()).toBe(5);
    expect(t.loop.isIdle).toBe(false); // the follow-up waits for the debounce
    await t.advance(10);
    expect(t.passes()).toBe(10);
    t.loop.stop();
    await t.advance(10);
    expect(t.passes()).toBe(10);
  });

  test('a pass that throws ends the run; the loop still runs later triggers', async () => {
    const t = setup({
      body: (n) => {
        if (n === 1) throw new Error('boom');
      },
    });
    await t.loop.runNow();
    expect(t.errors).toEqual(['boom']);
    t.loop.trigger();
    await t.advance(10);
    expect(t.passes()).toBe(2);
  });

  test('work left is retried with exponential backoff, and the backoff resets once done', async () => {
    let needed = true;
    const t = setup({ retry: { backoff: BACKOFF, random: () => 0, needed: () => needed } });
    await t.loop.runNow();
    const at: number[] = [];
    const start = t.clock.now();
    for (let i = 0; i < 5; i++) {
      const before = t.passes();
      for (let ms = 0; ms < 10_000 && t.passes() === before; ms += 10) await t.advance(10);
      at.push(t.clock.now() - start);
    }
    // 500 + 10 debounce, then 1000, 2000, 4000, 4000 (cap), each plus the debounce.
    expect(at).toEqual([510, 1520, 3530, 7540, 11550]);
    needed = false;
    await t.advance(5000);
    expect(t.clock.pending()).toBe(0);
    needed = true;
    await t.loop.runNow();
    const from = t.clock.now();
    const before = t.passes();
    for (let ms = 0; ms < 10_000 && t.passes() === before; ms += 10) await t.advance(10);
    expect(t.clock.now() - from).toBe(510); // back to the base delay
  });

  test('a retry already scheduled is not scheduled twice', async () => {
    const t = setup({ retry: { backoff: BACKOFF, random: () => 0, needed: () => true } });
    await t.loop.runNow();
    await t.loop.runNow();
    expect(t.clock.pending()).toBe(1);
  });

  test('stop cancels the pending pass and retry, and later triggers do nothing', async () => {
    const t = setup({ retry: { backoff: BACKOFF, random: () => 0, needed: () => true } });
    await t.loop.runNow();
    t.loop.trigger();
    expect(t.clock.pending()).toBe(2);
    t.loop.stop();
    expect(t.clock.pending()).toBe(0);
    t.loop.trigger();
    await t.advance(60_000);
    expect(t.passes()).toBe(1);
    expect(t.loop.isStopped).toBe(true);
  });
});
