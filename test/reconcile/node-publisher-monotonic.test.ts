/**
 * The EdgeLBNode status writer's rate limit on monotonic time: stepping the wall clock by an
 * hour either way neither stops the writes for an hour (a backward step) nor lets a change
 * through before the interval (a forward step).
 */
import { describe, expect, test } from 'bun:test';
import type { EdgeLBNodeStatus } from '../../agent/api/edgelb-node.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { NodePublisher } from '../../agent/reconcile/node-publisher.ts';

const HOUR = 3_600_000;

function status(announced: number): EdgeLBNodeStatus {
  return { peers: [], peersUp: 0, announced, l2Owned: [], l2OwnedTotal: 0, blocked: [], blockedTotal: 0 };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('NodePublisher across a wall-clock step', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`${jump / HOUR} h: the next change is written exactly one interval after the last write`, async () => {
      const clock = new FakeClock();
      let current = status(0);
      const writes: number[] = [];
      const p = new NodePublisher({
        clock,
        minIntervalMs: 5000,
        snapshot: () => current,
        write: async () => {
          writes.push(clock.monotonic());
        },
        log: memoryLogger('error'),
        metrics: new Registry(),
      });
      const advance = async (ms: number) => {
        for (let t = 0; t < ms; t += 100) {
          clock.advance(100);
          await flush();
        }
      };
      p.poke();
      await advance(100);
      expect(writes).toHaveLength(1);
      await advance(1000);
      clock.jump(jump);
      current = status(1);
      p.poke();
      await advance(3800);
      expect(writes).toHaveLength(1);
      await advance(200);
      expect(writes).toHaveLength(2);
      expect(writes[1]! - writes[0]!).toBe(5000);
      p.stop();
    });
  }
});
