/**
 * The whole loop with the real agent: two `edgelb run` nodes in files mode (worker, pi4) and an
 * FRR router (zebra + bfdd + bgpd) configured only by `edgelb router-config --for frr` from the
 * same manifests: dual stack (a session per family per node), TCP-MD5 from a Secret, BFD from
 * a BFDProfile. Both sessions of each node establish, each family's Service IP has both nodes
 * as next hops in the router's kernel (ECMP), and bfdd's four sessions are Up at the profile's
 * timers on both ends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusDoc } from '../../agent/http/status-doc.ts';
import { PLACEHOLDER_PATTERN } from '../../agent/routercfg/common.ts';
import { BUN, MAIN } from '../support/cli.ts';
import { missing } from '../support/env.ts';
import type { FrrBfdPeerStatus } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, waitFor } from '../support/proc.ts';
import { type Daemons, kernelNextHops, startFrrWith } from './daemons.ts';
import { generate } from './lab.ts';

const why = missing({
  root: true,
  tools: ['ip', 'curl', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', '/usr/lib/frr/bfdd'],
});
const { router: R, worker, pi4 } = TOPOLOGY;
const NODES = { worker, pi4 } as const;
type Node = keyof typeof NODES;
const PASSWORD = 'agent-md5-s3cret';

const MANIFESTS = `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: web}
spec:
  blocks: [{cidr: 172.198.1.0/30}, {cidr: "fd00:198::/126"}]
---
apiVersion: edgelb.io/v1alpha1
kind: BFDProfile
metadata: {name: lab}
spec: {receiveIntervalMilliseconds: 250, transmitIntervalMilliseconds: 200, detectMultiplier: 3}
---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: router}
spec:
  virtualRouters:
    - localASN: 65001
      serviceSelector: {}
      neighbors:
        - {peerAddress: ${R.v4}/32, peerASN: 65000, connectRetryTimeSeconds: 1, bfdProfile: lab, authSecretRef: {name: bgp-auth}, gracefulRestart: {enabled: true}}
        - {peerAddress: "${R.v6}", peerASN: 65000, connectRetryTimeSeconds: 1, bfdProfile: lab, authSecretRef: {name: bgp-auth}}
---
apiVersion: v1
kind: Secret
metadata: {name: bgp-auth}
stringData: {password: ${PASSWORD}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports: [{port: 80}]
`;

describe.skipIf(!!why)('router-config --for frr with two real edgelb agents', () => {
  let lan: Lan;
  let frr: Daemons;
  let config = '';
  const agents = new Map<Node, Proc>();

  const status = async (node: Node): Promise<StatusDoc> =>
    JSON.parse((await lan.exec(node, ['curl', '-sf', 'http://127.0.0.1:9180/status'])).stdout) as StatusDoc;
  const explain = (err: Error): never => {
    throw new Error(
      `${err.message}\n${frr?.log()}\n${[...agents.values()].map((a) => a.log().slice(-1500)).join('\n')}\nconfig:\n${config}`,
    );
  };

  beforeAll(async () => {
    lan = await createLan({ family: 'rcfga', hosts: { router: R, ...NODES } });
    const dir = join(lan.dir, 'edgelb');
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests, { recursive: true });
    writeFileSync(join(manifests, 'all.yaml'), MANIFESTS);
    writeFileSync(join(dir, 'config.yaml'), `source: files\nfiles:\n  manifests: ${manifests}\n`);
    const gen = await generate('frr', dir);
    config = gen.text.replace(PLACEHOLDER_PATTERN, PASSWORD);
    frr = await startFrrWith(lan, 'router', config);
    for (const node of Object.keys(NODES) as Node[]) {
      const home = join(dir, node);
      mkdirSync(home, { recursive: true });
      writeFileSync(
        join(home, 'config.yaml'),
        `source: files\nnodeName: ${node}\nfiles:\n  manifests: ${manifests}\n  state: ${join(home, 'state.json')}\nhttp:\n  listen: 127.0.0.1:9180\n`,
      );
      agents.set(
        node,
        lan.spawn(node, [BUN, MAIN, 'run', '--config', join(home, 'config.yaml')], {
          name: `edgelb@${node}`,
          logPath: join(home, 'agent.log'),
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const a of agents.values()) await a.stop(3000);
    await frr?.stop();
    await lan?.destroy();
  }, 30_000);

  test('the config has a session per family per node, each family carried on its own', () => {
    for (const a of [worker.v4, worker.v6, pi4.v4, pi4.v6])
      expect(config).toContain(` neighbor ${a} bfd profile lab`);
    expect(config).toContain(`  no neighbor ${worker.v6} activate`);
    expect(config).not.toContain('SECRET(');
  });

  test('all four MD5 sessions establish and BFD is Up on both ends at the profile timers', async () => {
    for (const n of Object.values(NODES))
      for (const a of [n.v4, n.v6]) {
        const p = await waitFor(
          `bfdd peer ${a} up`,
          async () =>
            (JSON.parse(await frr.cli('show bfd peers json')) as FrrBfdPeerStatus[]).find(
              (x) => x.peer === a && x.status === 'up',
            ),
          { timeoutMs: 45_000, intervalMs: 200 },
        ).catch(explain);
        // The router sends at the node's receive interval and accepts at its transmit interval.
        expect(p['transmit-interval']).toBe(250);
        expect(p['receive-interval']).toBe(200);
        expect(p['remote-receive-interval']).toBe(250);
        expect(p['remote-transmit-interval']).toBe(200);
      }
    for (const node of Object.keys(NODES) as Node[]) {
      const s = await waitFor(
        `${node}: both peers Established with BFD Up`,
        async () => {
          const doc = await status(node).catch(() => undefined);
          const ok = doc?.bgp.peers.length === 2 && doc.bgp.peers.every((p) => p.state === 'Established');
          return ok && doc.bgp.peers.every((p) => p.bfd?.state === 'Up') ? doc : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 200 },
      ).catch(explain);
      expect(s.bgp.peers.map((p) => p.address).sort()).toEqual([R.v4, R.v6].sort());
    }
  }, 100_000);

  test("the Service's IPv4 and IPv6 are in the router's kernel with both nodes as next hops", async () => {
    const s = await status('worker');
    const ips = s.allocations.find((a) => a.name === 'web')?.ips ?? [];
    const v4 = `${ips.find((ip) => !ip.includes(':'))}/32`;
    const v6 = `${ips.find((ip) => ip.includes(':'))}/128`;
    expect(v4).toBe('172.198.1.1/32');
    for (const [prefix, want] of [
      [v4, [worker.v4, pi4.v4].sort()],
      [v6, [worker.v6, pi4.v6].sort()],
    ] as const) {
      await waitFor(
        `kernel ECMP route ${prefix}`,
        async () => JSON.stringify(await kernelNextHops(lan, 'router', prefix)) === JSON.stringify(want),
        { timeoutMs: 30_000, intervalMs: 200 },
      ).catch(explain);
    }
  }, 70_000);
});
