/** agent/doctor (pure): public address space, pools against the node's subnets, peers, access checks, exit code. */
import { describe, expect, test } from 'bun:test';
import type { BGPPeeringPolicy, L2AnnouncementPolicy, LoadBalancerIPPool } from '../../agent/api/v1alpha1.ts';
import { accessChecks, describeCheck } from '../../agent/doctor/access.ts';
import { inPublicSpace } from '../../agent/doctor/address-space.ts';
import { error, exitCode, formatFinding, ok, summary, warn } from '../../agent/doctor/findings.ts';
import { noObjects, takeListed } from '../../agent/doctor/objects.ts';
import { peersOf } from '../../agent/doctor/peers.ts';
import { blockRange, poolFindings } from '../../agent/doctor/pools.ts';
import { rbac } from '../../agent/kube/manifests.ts';

const range = (cidr: string) => blockRange({ cidr })!;
const pool = (name: string, ...cidrs: string[]): LoadBalancerIPPool => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name },
  spec: {
    blocks: cidrs.map((c) =>
      c.includes('-') ? { start: c.split('-')[0], stop: c.split('-')[1] } : { cidr: c },
    ),
  },
});
const l2 = (name: string, spec: L2AnnouncementPolicy['spec'] = {}): L2AnnouncementPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name },
  spec,
});

describe('public address space', () => {
  test("the blog's 172.198.1.0/30 is public; RFC 1918, CGNAT, documentation and ULA are not", () => {
    expect(inPublicSpace(range('172.198.1.0/30'))).toBe(true);
    expect(inPublicSpace(range('8.8.8.0/24'))).toBe(true);
    expect(inPublicSpace(range('2a00:1450::/64'))).toBe(true);
    for (const c of [
      '10.1.0.0/24',
      '172.16.0.0/12',
      '192.168.2.240/28',
      '100.64.1.0/24',
      '198.18.0.0/24',
      'fd00::/64',
      '2001:db8::/120',
    ])
      expect(inPublicSpace(range(c))).toBe(false);
  });

  test('a range that leaves private space at either end is public', () => {
    // 172.31.255.254 .. 172.32.0.1 crosses the end of 172.16.0.0/12
    expect(inPublicSpace(blockRange({ start: '172.31.255.254', stop: '172.32.0.1' })!)).toBe(true);
    expect(inPublicSpace(blockRange({ start: '9.255.255.255', stop: '10.0.0.5' })!)).toBe(true);
    // adjacent private blocks: 198.18.0.0/15 ends at 198.19.255.255, 198.20.0.0 is public
    expect(inPublicSpace(blockRange({ start: '198.19.255.250', stop: '198.19.255.255' })!)).toBe(false);
    expect(inPublicSpace(blockRange({ start: '198.19.255.250', stop: '198.20.0.0' })!)).toBe(true);
  });
});

describe('pool findings', () => {
  test('public pool: one warning naming the block', () => {
    const f = poolFindings({ pools: [pool('blog', '172.198.1.0/30')], l2Policies: [], nodeSubnets: [] });
    expect(f.map((x) => [x.level, x.subject])).toEqual([['warn', 'pool blog']]);
    expect(f[0]!.message).toContain('172.198.1.0/30 is public address space');
  });

  test("a pool on the node's own subnet is a warning without L2, fine where an L2 policy selects it", () => {
    const input = {
      pools: [pool('lan', '192.168.2.240/28')],
      nodeSubnets: ['192.168.2.7/24', '10.9.0.1/32'],
    };
    const none = poolFindings({ ...input, l2Policies: [] });
    expect(none.map((x) => x.level)).toEqual(['warn']);
    expect(none[0]!.message).toContain("overlaps this node's subnet 192.168.2.0/24");
    for (const spec of [{}, { pools: ['lan'] }]) {
      const f = poolFindings({ ...input, l2Policies: [l2('p', spec)] });
      expect(f.map((x) => x.level)).toEqual(['ok']);
      expect(f[0]!.message).toContain('announced by L2');
    }
    // A policy for another pool, or one whose nodeSelector leaves this node out, does not count.
    expect(poolFindings({ ...input, l2Policies: [l2('p', { pools: ['other'] })] })[0]!.level).toBe('warn');
    const bySelector = l2('p', { nodeSelector: { matchLabels: { l2: 'yes' } } });
    expect(poolFindings({ ...input, l2Policies: [bySelector], nodeLabels: {} })[0]!.level).toBe('warn');
    expect(poolFindings({ ...input, l2Policies: [bySelector], nodeLabels: { l2: 'yes' } })[0]!.level).toBe(
      'ok',
    );
  });

  test('a private pool elsewhere is ok; host routes (/32) are not subnets', () => {
    const f = poolFindings({
      pools: [pool('bgp', '10.9.0.0/29')],
      l2Policies: [],
      nodeSubnets: ['10.9.0.1/32', 'fd00::1/128'],
    });
    expect(f).toEqual([ok('pool bgp', '10.9.0.0/29')]);
  });
});

describe('peers and access checks', () => {
  test('peers of the policies selecting the node, deduplicated, with the default port', () => {
    const pol = (
      name: string,
      sel: Record<string, string> | undefined,
      addrs: string[],
    ): BGPPeeringPolicy => ({
      apiVersion: 'edgelb.io/v1alpha1',
      kind: 'BGPPeeringPolicy',
      metadata: { name },
      spec: {
        nodeSelector: sel && { matchLabels: sel },
        virtualRouters: [
          {
            localASN: 65001,
            neighbors: addrs.map((a) => ({
              peerAddress: a,
              peerASN: 65000,
              peerPort: a === '10.0.0.3' ? 1790 : undefined,
            })),
          },
        ],
      },
    });
    const peers = peersOf(
      [
        pol('a', undefined, ['10.0.0.1', '10.0.0.3']),
        pol('b', { peering: 'yes' }, ['10.0.0.2']),
        pol('c', undefined, ['10.0.0.1']),
      ],
      {},
    );
    expect(peers).toEqual([
      { policy: 'a', address: '10.0.0.1', port: 179 },
      { policy: 'a', address: '10.0.0.3', port: 1790 },
    ]);
  });

  test("one access check per verb and resource of edgelb's ClusterRole and Role", () => {
    const roles = rbac({ namespace: 'kube-system', leaseName: 'edgelb' }).filter(
      (m) => 'rules' in m,
    ) as never[];
    const checks = accessChecks(
      (roles as { metadata: { namespace?: string }; rules: never[] }[]).map((r) => ({
        namespace: r.metadata.namespace,
        rules: r.rules,
      })),
    );
    const described = checks.map(describeCheck);
    expect(described).toContain('list services');
    expect(described).toContain('update services/status');
    expect(described).toContain('create events.events.k8s.io');
    expect(described).toContain('update leases.coordination.k8s.io edgelb in kube-system');
    expect(described).toContain('watch loadbalancerippools.edgelb.io');
    expect(new Set(described).size).toBe(described.length);
  });

  test('invalid listed objects are errors and are left out', () => {
    const into = noObjects();
    const f = takeListed(
      'LoadBalancerIPPool',
      [
        { metadata: { name: 'bad' }, spec: { blocks: [{ cidr: '10.0.0.1/24' }] } },
        { metadata: { name: 'good' }, spec: { blocks: [{ cidr: '10.0.0.0/24' }] } },
      ],
      into,
    );
    expect(f.map((x) => [x.level, x.subject])).toEqual([['error', 'LoadBalancerIPPool bad']]);
    expect(into.pools.map((p) => p.metadata.name)).toEqual(['good']);
  });
});

describe('findings', () => {
  test('one line each; exit 0 with warnings, 1 with an error', () => {
    expect(formatFinding(warn('pool x', 'a\n  b'))).toBe('warn  pool x: a; b');
    expect(exitCode([ok('a', 'b'), warn('c', 'd')])).toBe(0);
    expect(summary([ok('a', 'b'), warn('c', 'd')])).toBe('no problems found (1 warning)');
    expect(exitCode([ok('a', 'b'), error('c', 'd')])).toBe(1);
    expect(summary([error('c', 'd'), error('e', 'f')])).toBe('2 problems, 0 warnings');
  });
});
