// The leader writes status.blocks (the Blocks column) for valid and invalid pools alike.
import { expect, test } from 'bun:test';
import type { LoadBalancerIPPool } from '../../agent/api/pool.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

test('status.blocks: CIDRs and ranges in one line; an invalid pool gets its blocks too', async () => {
  const s = new FakeSource();
  const ranged: LoadBalancerIPPool = {
    ...blogPool,
    metadata: { name: 'lan' },
    spec: { blocks: [{ start: '192.168.2.200', stop: '192.168.2.209' }, { cidr: '10.0.0.0/30' }] },
  };
  const invalid: LoadBalancerIPPool = {
    ...blogPool,
    metadata: { name: 'bad' },
    spec: { blocks: [{ cidr: '10.1.0.1/30' }] },
  };
  s.state.pools = [blogPool, ranged, invalid];
  s.state.policies = [blogPolicy];
  const r = new Reconciler({
    source: s,
    speaker: () => new FakeSpeaker(),
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  await r.runNow();
  const blocks = Object.fromEntries(s.poolWrites.map((w) => [w.name, w.status.blocks]));
  expect(blocks).toEqual({
    [blogPool.metadata.name]: '172.198.1.0/30',
    lan: '192.168.2.200-192.168.2.209, 10.0.0.0/30',
    bad: '10.1.0.1/30',
  });
  r.stop();
});
