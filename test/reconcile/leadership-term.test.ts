/**
 * IPAM state ends with the leadership term, at once: a term lost and regained inside one long
 * pass (its status writes hanging meanwhile) never lets the next pass build on the IPAM of the
 * old term; another leader's allocations from the gap are restored from status, and no IP moves.
 */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import type { Leadership, ServiceStatusWrite } from '../../agent/source/types.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

function svc(name: string, created: string): ServiceObject {
  return {
    metadata: {
      name,
      namespace: 'ingress-nginx',
      creationTimestamp: created,
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

test('leadership lost and regained inside one pass: the next pass restores from status, no IP moves', async () => {
  const source = new FakeSource();
  let term = 1;
  (source as { leadership: Leadership }).leadership = {
    isLeader: () => source.leader,
    holder: () => (source.leader ? 'worker' : 'other'),
    term: () => term,
  };
  source.state.pools = [{ ...blogPool, spec: { ...blogPool.spec, blocks: [{ cidr: '172.198.1.0/29' }] } }];
  source.state.policies = [blogPolicy];
  source.state.services = [svc('a', '2026-01-01T00:00:00Z'), svc('b', '2026-01-02T00:00:00Z')];
  // Writes wait at the gate when one is set; a write whose term ended meanwhile is refused (as
  // the Kubernetes writer's term signal aborts it).
  let gate: Promise<void> | undefined;
  const write = source.writer.writeServiceStatus.bind(source.writer);
  const written: { key: string; ips: string[] }[] = [];
  source.writer.writeServiceStatus = async (s: ServiceObject, st: ServiceStatusWrite) => {
    const at = term;
    if (gate) await gate;
    if (term !== at || !source.leader) throw new Error('term ended');
    written.push({ key: s.metadata.name, ips: st.ips });
    return write(s, st);
  };
  const r = new Reconciler({
    source,
    speaker: () => new FakeSpeaker(),
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  const ip = (name: string) =>
    source.state.services
      .find((x) => x.metadata.name === name)
      ?.status?.loadBalancer?.ingress?.map((i) => i.ip)
      .join(',') ?? '';

  await r.runNow();
  const [a1, b1] = [ip('a'), ip('b')];
  expect(a1).not.toBe('');
  expect(b1).not.toBe('');
  expect(r.results().length).toBe(2);

  // A long pass: a new Service's status write hangs.
  let open = () => {};
  gate = new Promise((resolve) => {
    open = resolve;
  });
  source.state.services.push(svc('c', '2026-01-03T00:00:00Z'));
  const pass = r.runNow();
  await flush();

  // Leadership ends: from that moment the IPAM is not read (no allocations in /status).
  source.leader = false;
  expect(r.results()).toEqual([]);
  // Another leader, meanwhile, gave a's address to b and b's to a (both recreated, say).
  const swap = (name: string, to: string) => {
    const s = source.state.services.find((x) => x.metadata.name === name)!;
    s.status = { loadBalancer: { ingress: [{ ip: to, ipMode: 'VIP' }] }, conditions: s.status?.conditions };
  };
  swap('a', b1);
  swap('b', a1);
  // ... and this node leads again, in a new term, before its long pass ends.
  source.leader = true;
  term = 2;
  expect(r.results()).toEqual([]);
  written.length = 0;
  open();
  gate = undefined;
  await pass;
  await r.runNow();

  // The other leader's allocations stand: rebuilt from status, nothing moved.
  expect([ip('a'), ip('b')]).toEqual([b1, a1]);
  // (a write may refresh a condition's message, never with another address)
  for (const w of written.filter((x) => x.key !== 'c')) expect(w.ips.join(',')).toBe(w.key === 'a' ? b1 : a1);
  expect(ip('c')).not.toBe('');
  expect([a1, b1]).not.toContain(ip('c'));
  expect(r.results().length).toBe(3);
  r.stop();
});
