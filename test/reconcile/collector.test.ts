/** When the loop collects the heap: after a quiet delay following a burst, and during long bursts. */
import { describe, expect, test } from 'bun:test';
import { FakeClock } from '../../agent/lib/clock.ts';
import { Collector } from '../../agent/reconcile/collector.ts';

function setup() {
  const clock = new FakeClock();
  const at: number[] = [];
  const c = new Collector({ clock, collect: () => at.push(clock.now() - t0), after: 4, delayMs: 1000 });
  const t0 = clock.now();
  return { clock, c, at };
}

describe('Collector', () => {
  test('little work: nothing is collected', () => {
    const t = setup();
    t.c.noteWork(3);
    t.c.whenQuiet(() => false);
    t.clock.advance(5000);
    expect(t.at).toEqual([]);
  });

  test('after a burst, once quiet for the delay; a new run postpones it', () => {
    const t = setup();
    t.c.noteWork(4);
    t.c.whenQuiet(() => false);
    t.clock.advance(600);
    t.c.whenQuiet(() => false); // another run ended: the delay starts again
    t.clock.advance(999);
    expect(t.at).toEqual([]);
    t.clock.advance(1);
    expect(t.at).toEqual([1600]);
    t.c.whenQuiet(() => false); // the work was reset by the collection
    t.clock.advance(5000);
    expect(t.at).toEqual([1600]);
  });

  test('a busy loop when the delay ends: no collection (the run that ends asks again)', () => {
    const t = setup();
    t.c.noteWork(10);
    t.c.whenQuiet(() => true);
    t.clock.advance(1000);
    expect(t.at).toEqual([]);
  });

  test('a pass over a burst of changes, and every 2 x after writes, collect at once', () => {
    const t = setup();
    t.c.noteChanges(3);
    expect(t.at).toEqual([]);
    t.c.noteChanges(4);
    expect(t.at).toEqual([0]);
    for (let i = 0; i < 7; i++) t.c.noteWrite();
    expect(t.at).toEqual([0]);
    t.c.noteWrite();
    expect(t.at).toEqual([0, 0]);
  });

  test('stop cancels a pending collection', () => {
    const t = setup();
    t.c.noteWork(4);
    t.c.whenQuiet(() => false);
    t.c.stop();
    t.clock.advance(5000);
    expect(t.at).toEqual([]);
  });
});
