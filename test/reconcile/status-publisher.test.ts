/** The status publisher: failed pool and policy writes are logged, counted and retried, not swallowed. */
import { describe, expect, test } from 'bun:test';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

function setup(failPolicyWrites: number, failPoolWrites = 0) {
  const source = new FakeSource();
  source.state.pools = [blogPool];
  source.state.policies = [blogPolicy];
  let policyFails = failPolicyWrites;
  let poolFails = failPoolWrites;
  const policyWrites: string[] = [];
  const writePool = source.writer.writePoolStatus;
  source.writer.writePolicyStatus = async (p) => {
    if (policyFails-- > 0) throw new Error('apiserver said 500');
    policyWrites.push(p.metadata.name);
  };
  source.writer.writePoolStatus = async (p, s) => {
    if (poolFails-- > 0) throw new Error('partition');
    await writePool(p, s);
  };
  const clock = new FakeClock();
  const log = memoryLogger();
  const metrics = new Registry();
  const r = new Reconciler({
    source,
    speaker: () => new FakeSpeaker(),
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock,
    log,
    metrics,
    random: () => 0,
  });
  return { source, clock, log, metrics, r, policyWrites };
}

/** Lets a pass started by a timer finish its (immediately resolving) writes. */
const flush = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

describe('StatusPublisher', () => {
  test('a failed policy status write is logged, counted and retried with backoff', async () => {
    const t = setup(2);
    await t.r.runNow();
    expect(t.policyWrites).toEqual([]);
    expect(
      t.log.lines.some((l) => l.includes('cannot write policy status') && l.includes('apiserver said 500')),
    ).toBe(true);
    expect(t.metrics.render()).toContain('edgelb_status_write_errors_total{kind="policy"} 1');
    // Nothing else happens: the retry alone runs a pass, after 0.5 s then 1 s (plus the debounce).
    t.clock.advance(509);
    expect(t.r.passCount).toBe(1);
    t.clock.advance(1);
    expect(t.r.passCount).toBe(2);
    await flush();
    expect(t.metrics.render()).toContain('edgelb_status_write_errors_total{kind="policy"} 2');
    t.clock.advance(1009);
    expect(t.r.passCount).toBe(2);
    t.clock.advance(1);
    expect(t.r.passCount).toBe(3);
    await flush();
    expect(t.policyWrites).toEqual([blogPolicy.metadata.name]);
    // Written: no more retries.
    t.clock.advance(60_000);
    expect(t.r.passCount).toBe(3);
    t.r.stop();
  });

  test('a failed pool status write is counted and retried', async () => {
    const t = setup(0, 1);
    await t.r.runNow();
    expect(t.source.poolWrites).toEqual([]);
    expect(t.metrics.render()).toContain('edgelb_status_write_errors_total{kind="pool"} 1');
    t.clock.advance(510);
    await flush();
    expect(t.r.passCount).toBe(2);
    expect(t.source.poolWrites.map((w) => w.name)).toContain(blogPool.metadata.name);
    t.r.stop();
  });
});
