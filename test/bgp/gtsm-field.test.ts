/**
 * The neighbor field `gtsm: true` (RFC 5082, issue 16): validated (not with eBGPMultihopTTL),
 * carried by the plan into the peer, and a peer planned from it that sends TTL 64 never gets
 * past TCP; the same neighbor without it establishes.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import type { BGPPeeringPolicy } from '../../agent/api/v1alpha1.ts';
import { formatProblem, validatePolicy } from '../../agent/api/validate/resources.ts';
import { Speaker } from '../../agent/bgp/speaker.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { FakeRouter, until } from './fake-router.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const policy = (n: Record<string, unknown>) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'BGPPeeringPolicy',
  metadata: { name: 'rack0' },
  spec: {
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [{ peerAddress: '127.0.0.1', peerASN: 65000, ...n }],
      },
    ],
  },
});

function planned(n: Record<string, unknown>) {
  const v = validatePolicy(policy(n));
  if (!v.ok) throw new Error(v.problems.map(formatProblem).join('; '));
  return planAnnouncements({
    nodeName: 'worker',
    nodeLabels: {},
    policies: [v.value as BGPPeeringPolicy],
    services: [],
    endpointSlices: [],
    secrets: new Map(),
    defaultSecretNamespace: 'default',
    bfdProfiles: [],
  }).peers[0]!;
}

describe('gtsm field', () => {
  test('validated: a boolean, and not together with eBGPMultihopTTL', () => {
    expect(validatePolicy(policy({ gtsm: true })).ok).toBe(true);
    const both = validatePolicy(policy({ gtsm: true, eBGPMultihopTTL: 2 }));
    expect(both.ok ? [] : both.problems.map(formatProblem)).toEqual([
      'spec.virtualRouters[0].neighbors[0].gtsm: cannot be used with eBGPMultihopTTL: GTSM accepts only a peer one hop away (RFC 5082); drop one of them',
    ]);
    expect(validatePolicy(policy({ gtsm: 'yes' })).ok).toBe(false);
  });

  test('the plan carries it into the peer; absent = off', () => {
    expect(planned({ gtsm: true }).gtsm).toBe(true);
    expect(planned({}).gtsm).toBeUndefined();
  });

  test('a peer sending TTL 64 never gets past TCP with gtsm; without it the session comes up', async () => {
    const run = async (n: Record<string, unknown>) => {
      const r = new FakeRouter({ asn: 65000 });
      const port = await r.listen();
      cleanups.push(() => r.close());
      const s = new Speaker({
        routerId: '10.255.0.2',
        nextHopV4: '192.0.2.10',
        clock: systemClock,
        random: Math.random,
        log: memoryLogger('error'),
        metrics: new Registry(),
      });
      cleanups.push(() => s.stop('keep'));
      s.setPeers([
        {
          ...planned({ ...n, peerPort: port, connectRetryTimeSeconds: 1 }),
          localAddress: '127.0.0.2',
        } as never,
      ]);
      return { r, s };
    };
    const plain = await run({});
    await until(() => plain.s.status()[0]!.state === 'Established');
    const guarded = await run({ gtsm: true });
    await Bun.sleep(1500);
    expect(guarded.r.connections).toBe(0); // the SYN-ACK (TTL 64) never passes IP_MINTTL 254
    expect(guarded.s.status()[0]!.state).not.toBe('Established');
  });
});
