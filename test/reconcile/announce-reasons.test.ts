/**
 * Announcement truth, part 2 (issue 17): each reason made to happen and seen where it belongs.
 * Blocked reasons (PeersDown, FamilyNotNegotiated, NoNextHop): a /status problem, a /readyz
 * reason, edgelb status exit 1 (isHealthy), edgelb_announcements_blocked{reason} and
 * `edgelb explain`. Intended reasons (NoPeeringPolicy, NodeNotSelected, ServiceNotSelected,
 * NoLocalEndpoint, and those other features plug in): shown by explain, never a problem.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import type { EndpointSliceObject, ServiceObject } from '../../agent/api/core.ts';
import { formatExplain } from '../../agent/cli/cluster-format.ts';
import { createApp } from '../../agent/http/app.ts';
import { isHealthy } from '../../agent/http/status-doc.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { blockedNow, explainNow, registerBlockedMetric } from '../../agent/reconcile/announcements.ts';
import {
  ANNOUNCE_REASONS,
  announceReason,
  blockedAnnouncements,
  blockedProblems,
} from '../../agent/reconcile/plan/announce-reasons.ts';
import { explainService } from '../../agent/reconcile/plan/explain.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { buildStatus, notReadyReasons, type SpeakerView } from '../../agent/reconcile/status.ts';
import { blogPolicy } from '../support/blog-objects.ts';
import { spawnCli } from '../support/cli.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

const NS = 'ingress-nginx';
const SELECTED = { 'app.kubernetes.io/name': 'ingress-nginx' };

function svc(
  name: string,
  ips: string[],
  o: { labels?: Record<string, string>; local?: boolean } = {},
): ServiceObject {
  return {
    metadata: {
      name,
      namespace: NS,
      labels: o.labels ?? SELECTED,
      annotations: { 'edgelb.io/sharing-key': 'k' },
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP' }],
      ...(o.local ? { externalTrafficPolicy: 'Local' as const } : {}),
    },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' as const })) } },
  };
}

function sliceOn(service: string, node: string): EndpointSliceObject {
  return {
    metadata: { name: `${service}-x`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], nodeName: node, conditions: { ready: true } }],
  };
}

type PeerState = ReturnType<SpeakerView['status']>[number];
const PEER: PeerState = {
  id: '192.168.2.1',
  address: '192.168.2.1',
  port: 179,
  localASN: 65001,
  peerASN: 65000,
  state: 'Established',
  uptimeSeconds: 10,
  advertised: 1,
  capabilities: ['mp-ipv4-unicast', 'mp-ipv6-unicast'],
};

function world() {
  const source = new FakeSource();
  source.leader = false; // a follower announces what the status says
  source.state.policies = [blogPolicy];
  const metrics = new Registry();
  const reconciler = new Reconciler({
    source,
    speaker: () => new FakeSpeaker(),
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics,
  });
  let peer: PeerState = { ...PEER };
  const speaker: SpeakerView = { status: () => [peer], advertised: () => [] };
  const inputs = {
    node: 'worker',
    version: 'test',
    routerId: () => '192.168.2.10',
    source,
    reconciler,
    speaker: () => speaker,
  };
  registerBlockedMetric(metrics, () => blockedNow(inputs));
  return {
    source,
    inputs,
    metrics,
    setPeer: (p: Partial<PeerState>) => {
      peer = { ...PEER, ...p };
    },
    run: () => reconciler.runNow(),
    metric: (reason: string) => {
      const m = new RegExp(`^edgelb_announcements_blocked\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(
        metrics.render(),
      );
      return m ? Number(m[1]) : undefined;
    },
  };
}

describe('blocked reasons: /status, /readyz, edgelb status, the metric, explain', () => {
  const cases = [
    {
      code: 'PeersDown',
      ip: '10.50.0.10',
      peer: {
        state: 'Active' as const,
        capabilities: [],
        lastError: { message: 'connect: Connection refused', at: '2026-12-06T15:00:00.000Z' },
      },
      words: 'BGP peer 192.168.2.1 is Active: connect: Connection refused',
    },
    {
      code: 'FamilyNotNegotiated',
      ip: 'fd00:50::10',
      peer: { capabilities: ['mp-ipv4-unicast'] },
      words: 'BGP peer 192.168.2.1 did not negotiate IPv6 unicast',
    },
    {
      code: 'NoNextHop',
      ip: 'fd00:50::10',
      peer: { unannounceable: ['fd00:50::10/128'] },
      words: 'no IPv6 next hop for BGP peer 192.168.2.1',
    },
  ];
  for (const c of cases)
    test(c.code, async () => {
      const w = world();
      w.source.state.services = [svc('web', [c.ip])];
      w.setPeer(c.peer);
      await w.run();
      const doc = buildStatus(w.inputs);
      expect(doc.announcements?.blockedTotal).toBe(1);
      expect(doc.announcements?.blocked[0]).toMatchObject({ ip: c.ip, code: c.code });
      expect(doc.problems.some((p) => p.includes(c.ip))).toBe(true);
      expect(notReadyReasons(w.inputs).some((r) => r.includes(c.ip))).toBe(true);
      expect(doc.ready).toBe(false);
      expect(isHealthy(doc)).toBe(false); // edgelb status exits 1
      expect(w.metric(c.code)).toBe(1);
      for (const other of cases.filter((x) => x.code !== c.code)) expect(w.metric(other.code)).toBe(0);
      const e = explainNow(w.inputs, `${NS}/web`)!;
      expect(e.facts).toHaveLength(1);
      expect(e.facts[0]).toMatchObject({
        ip: c.ip,
        peer: '192.168.2.1',
        announced: false,
        reason: { code: c.code, kind: 'blocked' },
      });
      expect(formatExplain(e)).toContain(
        `${c.ip}: not announced (node worker, peer 192.168.2.1): blocked ${c.code}: ${c.words}`,
      );
      // the same session, healthy: nothing blocked, the metric back to 0
      w.setPeer({});
      expect(buildStatus(w.inputs).announcements?.blockedTotal).toBe(0);
      expect(w.metric(c.code)).toBe(0);
      expect(notReadyReasons(w.inputs)).toEqual([]);
      expect(explainNow(w.inputs, `${NS}/web`)!.facts[0]).toMatchObject({ announced: true });
    });

  test('PeersDown in /status names the IP and the session error; a problem line per reason, capped', () => {
    const adverts = new Map([['192.168.2.1', Array.from({ length: 7 }, (_, i) => `10.0.0.${i + 1}/32`)]]);
    const blocked = blockedAnnouncements(adverts, [{ id: '192.168.2.1', state: 'Connect' }]);
    expect(blocked).toHaveLength(7);
    expect(blockedProblems(blocked)).toEqual([
      '7 IP(s) not announced (PeersDown): 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 and 2 more: BGP peer 192.168.2.1 is Connect',
    ]);
  });

  test('one peer that carries the IP is enough: not blocked when another is down', () => {
    const adverts = new Map([
      ['192.168.2.1', ['10.0.0.1/32']],
      ['192.168.2.2', ['10.0.0.1/32']],
    ]);
    const up = { id: '192.168.2.2', state: 'Established', capabilities: ['mp-ipv4-unicast'] };
    expect(blockedAnnouncements(adverts, [{ id: '192.168.2.1', state: 'Idle' }, up])).toEqual([]);
    expect(blockedAnnouncements(adverts, [{ id: '192.168.2.1', state: 'Idle' }])).toHaveLength(1);
  });
});

describe('intended reasons: shown by explain, never a problem', () => {
  const cases: { code: string; setup: (w: ReturnType<typeof world>) => void; words: string }[] = [
    {
      code: 'NoPeeringPolicy',
      setup: (w) => {
        w.source.state.policies = [];
      },
      words: 'no BGPPeeringPolicy exists',
    },
    {
      code: 'NodeNotSelected',
      setup: (w) => {
        w.source.state.node = { metadata: { name: 'worker', labels: {} } };
      },
      words: 'policy opensense: its nodeSelector does not select node worker',
    },
    {
      code: 'ServiceNotSelected',
      setup: (w) => {
        w.source.state.services = [svc('web', ['10.50.0.10'], { labels: { app: 'other' } })];
      },
      words: 'policy opensense, virtual router AS 65001: its serviceSelector does not match the Service',
    },
    {
      code: 'NoLocalEndpoint',
      setup: (w) => {
        w.source.state.services = [svc('web', ['10.50.0.10'], { local: true })];
        w.source.state.endpointSlices = [sliceOn('web', 'pi4')];
      },
      words: 'externalTrafficPolicy: Local and no ready endpoint of ingress-nginx/web runs on node worker',
    },
  ];
  for (const c of cases)
    test(c.code, async () => {
      const w = world();
      w.source.state.services = [svc('web', ['10.50.0.10'])];
      c.setup(w);
      w.setPeer({ state: 'Active', capabilities: [] }); // even with the session down: nothing is meant to go
      await w.run();
      const doc = buildStatus(w.inputs);
      expect(doc.announcements?.blockedTotal).toBe(0);
      expect(doc.problems).toEqual([]);
      expect(notReadyReasons(w.inputs).filter((r) => r.includes('10.50.0.10'))).toEqual([]);
      for (const code of Object.keys(ANNOUNCE_REASONS))
        if (w.metric(code) !== undefined) expect(w.metric(code)).toBe(0);
      const e = explainNow(w.inputs, `${NS}/web`)!;
      expect(e.facts.map((f) => f.reason?.code)).toEqual([c.code]);
      expect(e.facts[0]!.reason!.kind).toBe('intended');
      expect(formatExplain(e)).toContain(`10.50.0.10: not announced (node worker`);
      expect(formatExplain(e)).toContain(`intended ${c.code}: ${c.words}`);
    });

  test('reasons from other features plug in: NodeDrained, HeldAfterDelete, HealthGated', () => {
    for (const code of [
      'NodeDrained',
      'NodeExcluded',
      'NodeCordoned',
      'HeldAfterDelete',
      'HealthGated',
    ] as const) {
      const e = explainService({
        nodeName: 'worker',
        nodeLabels: { peering: 'yes' },
        policies: [blogPolicy],
        service: svc('web', ['10.50.0.10']),
        endpointSlices: [],
        peers: [{ id: '192.168.2.1', state: 'Established' }],
        extraReasons: [announceReason(code, `${code} on worker`)],
      });
      expect(e.facts[0]).toMatchObject({ announced: false, reason: { code, kind: 'intended' } });
    }
  });

  test('explain names where the IP came from', () => {
    const e = explainService({
      nodeName: 'worker',
      nodeLabels: { peering: 'yes' },
      policies: [blogPolicy],
      service: svc('web', ['10.50.0.10']),
      endpointSlices: [],
      peers: [],
      pool: 'blue',
    });
    expect(e.origin).toEqual(['pool blue', 'sharing key k (annotation edgelb.io/sharing-key)']);
  });
});

describe('/explain and edgelb explain', () => {
  const w = world();
  w.source.state.services = [svc('web', ['10.50.0.10'])];
  w.setPeer({
    state: 'Active',
    capabilities: [],
    lastError: { message: 'connect: Connection refused', at: '2026-12-06T15:00:00.000Z' },
  });
  const app = createApp({
    notReady: () => notReadyReasons(w.inputs),
    metrics: () => w.metrics.render(),
    status: () => buildStatus(w.inputs),
    explain: (key) => explainNow(w.inputs, key),
  });
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => app.fetch(r) });
  afterAll(() => server.stop(true));

  test('/explain answers JSON; a bad key is 400, an unknown Service 404; /readyz names the reason', async () => {
    await w.run();
    const ok = await app.request('/explain?service=ingress-nginx/web');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { facts: { reason: { code: string } }[] }).facts[0]!.reason.code).toBe(
      'PeersDown',
    );
    expect((await app.request('/explain?service=nope')).status).toBe(400);
    expect((await app.request('/explain?service=default/none')).status).toBe(404);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('(PeersDown): 10.50.0.10');
    expect(await (await app.request('/metrics')).text()).toContain(
      'edgelb_announcements_blocked{reason="PeersDown"} 1',
    );
  });

  test('edgelb explain prints one line per fact and exits 1 when blocked', async () => {
    await w.run();
    const url = `http://127.0.0.1:${server.port}`;
    const p = spawnCli(['explain', 'ingress-nginx/web', '--url', url]);
    const code = await p.exited;
    const { stdout } = p.output();
    expect(stdout).toContain('Service ingress-nginx/web: 10.50.0.10');
    expect(stdout).toContain('from sharing key k');
    expect(stdout).toContain(
      '10.50.0.10: not announced (node worker, peer 192.168.2.1): blocked PeersDown: BGP peer 192.168.2.1 is Active: connect: Connection refused',
    );
    expect(code).toBe(1);
    const missing = spawnCli(['explain', 'default/none', '--url', url]);
    expect(await missing.exited).toBe(2);
  });
});

describe('explainNow with reasons from other features', () => {
  test('an extra intended reason shows before the plan facts, and is never blocked', async () => {
    const w = world();
    w.source.state.services = [svc('web', ['10.50.0.10'])];
    await w.run();
    const e = explainNow(w.inputs, `${NS}/web`, (s) =>
      s.metadata.name === 'web' ? [announceReason('NodeDrained', 'node worker is drained')] : [],
    )!;
    expect(e.facts[0]).toMatchObject({ announced: false, reason: { code: 'NodeDrained', kind: 'intended' } });
    expect(buildStatus(w.inputs).announcements?.blockedTotal).toBe(0);
  });
});

describe('explain in L2 mode', () => {
  test('an IP this node answers ARP/NDP for is announced on its interface', () => {
    const e = explainService({
      nodeName: 'pi4',
      nodeLabels: {},
      policies: [],
      service: svc('web', ['192.168.2.200']),
      endpointSlices: [],
      peers: [],
      l2Owned: [{ ip: '192.168.2.200', interface: 'eth0' }],
    });
    expect(e.facts[0]).toEqual({ ip: '192.168.2.200', interface: 'eth0', announced: true });
    expect(formatExplain(e)).toContain('192.168.2.200: announced (node pi4, L2 on eth0)');
  });
});
