/**
 * The reconcile loop's periodic full pass on monotonic time: stepping the wall clock by an hour
 * either way neither brings the full pass forward (a forward step) nor skips it for an hour (a
 * backward step); it repairs what the change feed missed exactly fullResyncMs after the last one.
 */
import { describe, expect, test } from 'bun:test';
import { setup } from './feed-source.ts';

const HOUR = 3_600_000;

describe('the periodic full pass across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: not before fullResyncMs, and at it`, async () => {
      const { source, clock, r } = setup({ fullResyncMs: 60_000 });
      await r.runNow();
      await r.runNow();
      const a = source.get('a');
      source.put({ ...a, status: {} }, { silently: true });
      clock.jump(jump);
      // A pass now is incremental: the feed did not name `a`, and no full pass is due.
      await r.runNow();
      expect(source.ips('a')).toEqual([]);
      clock.advance(59_990);
      await r.runNow();
      expect(source.ips('a')).toEqual([]);
      clock.advance(10); // the resync timer triggers a full pass (after the debounce)
      clock.advance(10);
      for (let i = 0; i < 20 && !r.isIdle; i++) await Bun.sleep(1);
      expect(source.ips('a')).toEqual(['10.0.0.1']);
      r.stop();
    });
  }
});
