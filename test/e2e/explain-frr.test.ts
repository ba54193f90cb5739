/**
 * Announcement reasons against FRR (issue 17), files mode: a dual-stack node whose router does
 * not activate IPv6 unicast for it. The /32 reaches FRR; the /128 is blocked with
 * FamilyNotNegotiated in /status, /readyz, the metric and `edgelb explain` (exit 1). With FRR
 * stopped, both IPs are blocked with PeersDown and the session's last error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusDoc } from '../../agent/http/status-doc.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';

const why = missing({
  root: true,
  tools: ['ip', 'curl', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'],
});
const R = TOPOLOGY.router;
const NODE = TOPOLOGY.worker;

const MANIFESTS = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata:
  name: web
spec:
  blocks:
    - cidr: 172.198.1.0/30
    - cidr: fd00:198::/126
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata:
  name: router
spec:
  virtualRouters:
    - localASN: 65001
      neighbors:
        - peerASN: 65000
          peerAddress: ${R.v4}/32
          connectRetryTimeSeconds: 1
      serviceSelector: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports:
    - port: 80
`;

describe.skipIf(!!why)('announcement reasons against FRR (files mode)', () => {
  let lan: Lan;
  let frr: Frr;
  let agent: Proc;

  const curl = async (path: string) =>
    (await lan.exec('worker', ['curl', '-s', `http://127.0.0.1:9180${path}`], { allowFail: true })).stdout;
  const status = async () => JSON.parse(await curl('/status')) as StatusDoc;

  beforeAll(async () => {
    lan = await createLan({ family: 'expl', hosts: { router: R, worker: NODE } });
    const dir = join(lan.dir, 'edge');
    mkdirSync(join(dir, 'manifests'), { recursive: true });
    writeFileSync(join(dir, 'manifests', 'all.yaml'), MANIFESTS);
    frr = await startFrr(lan, 'router', {
      asn: 65000,
      routerId: R.v4,
      neighbors: [
        {
          address: NODE.v4,
          remoteAs: 65001,
          timers: { keepalive: 3, hold: 9 },
          connectRetrySeconds: 1,
          ipv6: false,
        },
      ],
    });
    writeFileSync(
      join(dir, 'config.yaml'),
      `source: files\nnodeName: worker\nfiles:\n  manifests: ${join(dir, 'manifests')}\n  state: ${join(dir, 'state.json')}\nhttp:\n  listen: 127.0.0.1:9180\n`,
    );
    agent = lan.spawn('worker', [BUN, MAIN, 'run', '--config', join(dir, 'config.yaml')], {
      name: 'edgelb@worker',
      logPath: join(dir, 'agent.log'),
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop(3000);
    await frr?.stop().catch(() => {});
    await lan?.destroy();
  }, 30_000);

  test('IPv6 unicast not activated at FRR: the /128 is blocked FamilyNotNegotiated, the /32 announced', async () => {
    const s = await waitFor(
      'the /128 blocked',
      async () => {
        const doc = await status().catch(() => undefined);
        return doc?.announcements?.blocked.some((b) => b.code === 'FamilyNotNegotiated') ? doc : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const ips = s.allocations[0]!.ips;
    const v4 = ips.find((ip) => !ip.includes(':'))!;
    const v6 = ips.find((ip) => ip.includes(':'))!;
    expect(s.announcements!.blocked).toEqual([
      {
        ip: v6,
        code: 'FamilyNotNegotiated',
        message: `BGP peer ${R.v4} did not negotiate IPv6 unicast (configure the family on the router)`,
      },
    ]);
    expect(s.problems.some((p) => p.includes(`(FamilyNotNegotiated): ${v6}`))).toBe(true);
    await frr.waitPaths(`${v4}/32`, (p) => p.some((x) => x.peer === NODE.v4), 20_000);
    expect(await curl('/readyz')).toContain(`(FamilyNotNegotiated): ${v6}`);
    expect(await curl('/metrics')).toContain('edgelb_announcements_blocked{reason="FamilyNotNegotiated"} 1');
    const explain = await lan.exec('worker', [BUN, MAIN, 'explain', 'default/web'], { allowFail: true });
    expect(explain.code).toBe(1);
    expect(explain.stdout).toContain(`${v4}: announced (node worker, peer ${R.v4})`);
    expect(explain.stdout).toContain(
      `${v6}: not announced (node worker, peer ${R.v4}): blocked FamilyNotNegotiated`,
    );
  }, 60_000);

  test('FRR stopped: both IPs blocked with PeersDown and the session error', async () => {
    await frr.stop();
    const s = await waitFor(
      'both blocked PeersDown',
      async () => {
        const doc = await status().catch(() => undefined);
        const b = doc?.announcements?.blocked ?? [];
        return b.length === 2 && b.every((x) => x.code === 'PeersDown') && doc!.bgp.peers[0]?.lastError
          ? doc
          : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    expect(s.announcements!.blocked[0]!.message).toContain(`BGP peer ${R.v4} is`);
    expect(await curl('/metrics')).toContain('edgelb_announcements_blocked{reason="PeersDown"} 2');
    const explain = await lan.exec('worker', [BUN, MAIN, 'explain', 'default/web'], { allowFail: true });
    expect(explain.code).toBe(1);
    expect(explain.stdout).toContain('blocked PeersDown');
  }, 60_000);
});
