/**
 * edgelb convert on real-world manifests: the blog's (verbatim), Cilium v2 pools, Cilium
 * BGPv2 and MetalLB BGP in the shape of their docs. Each asserts the exact objects, the
 * exact warnings, and that the output passes edgelb's own resource validators.
 */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  validateBfdProfile,
  validateL2Policy,
  validatePolicy,
  validatePool,
} from '../../agent/api/validate/resources.ts';
import { parseManifests } from '../../agent/cli/convert.ts';
import { type ConvertResult, convertManifests } from '../../agent/convert/convert.ts';

const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'convert');
const load = (name: string) => parseManifests(readFileSync(join(FIXTURES, name), 'utf8'), name);
const convert = (name: string) => convertManifests(load(name));
const V = 'edgelb.io/v1alpha1';
const warnings = (r: ConvertResult) => r.warnings.map((w) => `${w.object} ${w.field}: ${w.message}`);

/** Every converted object must be one edgelb accepts. */
function expectValid(r: ConvertResult): void {
  for (const o of r.objects) {
    const validate = {
      LoadBalancerIPPool: validatePool,
      BGPPeeringPolicy: validatePolicy,
      BFDProfile: validateBfdProfile,
      L2AnnouncementPolicy: validateL2Policy,
    }[o.kind];
    const v = validate(o);
    expect(v.ok ? [] : v.problems).toEqual([]);
  }
}

test('the fixture folder holds the blog and the Cilium/MetalLB sets', () => {
  expect(readdirSync(FIXTURES).sort()).toEqual([
    'blog-cilium.yaml',
    'cilium-bgpv2.yaml',
    'cilium-l2-lossy.yaml',
    'cilium-l2.yaml',
    'cilium-v2-pools.yaml',
    'metallb-bfd.yaml',
    'metallb-bgp.yaml',
    'metallb-l2-lossy.yaml',
    'metallb-l2.yaml',
  ]);
  expect(readFileSync(join(FIXTURES, 'blog-cilium.yaml'), 'utf8')).toBe(
    readFileSync('/work/shared/fixtures/blog-cilium.yaml', 'utf8'),
  );
});

describe('the blog (Cilium 1.13: v2alpha1 pool with cidrs, CiliumBGPPeeringPolicy)', () => {
  test('converts one to one, without a warning', () => {
    const r = convert('blog-cilium.yaml');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'nginx-ingress' },
        spec: {
          blocks: [{ cidr: '172.198.1.0/30' }],
          disabled: false,
          serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        },
      },
      {
        apiVersion: V,
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'opensense' },
        spec: {
          nodeSelector: { matchLabels: { peering: 'yes' } },
          virtualRouters: [
            {
              localASN: 65001,
              serviceSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
              neighbors: [{ peerAddress: '192.168.2.1/32', peerASN: 65000 }],
            },
          ],
        },
      },
    ]);
    expectValid(r);
  });
});

describe('Cilium v2 pools', () => {
  test('blocks with cidr, start/stop and a single start; allowFirstLastIPs per version', () => {
    const r = convert('cilium-v2-pools.yaml');
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'blue-pool' },
        spec: {
          blocks: [
            { cidr: '10.0.10.0/24' },
            { cidr: '2004::0/64' },
            { start: '20.0.20.100', stop: '20.0.20.200' },
            { start: '1.2.3.4', stop: '1.2.3.4' },
          ],
          serviceSelector: { matchExpressions: [{ key: 'color', operator: 'In', values: ['blue', 'cyan'] }] },
          // cilium.io/v2: unset means Yes.
          allowFirstLastIPs: true,
        },
      },
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'red-pool', labels: { team: 'red' } },
        spec: {
          blocks: [{ cidr: '20.0.10.0/24' }],
          disabled: true,
          serviceSelector: { matchLabels: { 'io.kubernetes.service.namespace': 'tenant-a' } },
          allowFirstLastIPs: false,
        },
      },
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'legacy-pool' },
        spec: { blocks: [{ cidr: '192.168.50.0/28' }] },
      },
    ]);
    expect(warnings(r)).toEqual([
      'CiliumLoadBalancerIPPool/legacy-pool spec.allowFirstLastIPs: is unset: Cilium 1.16+ then allocates the network and broadcast addresses, edgelb does not; set allowFirstLastIPs: true to keep 1.16+ behaviour',
    ]);
    expectValid(r);
  });
});

describe('Cilium BGPv2 (cluster config + peer config + advertisement)', () => {
  test('peers take timers, auth and attributes from the peer config and the selected advertisement', () => {
    const r = convert('cilium-bgpv2.yaml');
    expect(r.errors).toEqual([]);
    const neighbor = (peerAddress: string) => ({
      peerAddress,
      peerASN: 65000,
      holdTimeSeconds: 9,
      keepAliveTimeSeconds: 3,
      eBGPMultihopTTL: 4,
      gracefulRestart: { enabled: true, restartTimeSeconds: 15 },
      authSecretRef: { name: 'bgp-auth-secret', namespace: 'kube-system', key: 'password' },
      advertisedPathAttributes: {
        communities: { standard: ['65000:100', '65535:65281'], large: ['65000:1:1'] },
        localPreference: 200,
      },
    });
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'cilium-bgp' },
        spec: {
          nodeSelector: { matchLabels: { rack: 'rack0' } },
          virtualRouters: [
            {
              localASN: 65000,
              serviceSelector: {
                matchExpressions: [{ key: 'somekey', operator: 'NotIn', values: ['never-used-value'] }],
              },
              neighbors: [neighbor('fd00:10:0:0::1'), neighbor('fd00:11:0:0::1')],
            },
          ],
        },
      },
    ]);
    expect(warnings(r)).toEqual([
      'CiliumBGPPeerConfig/cilium-peer spec.authSecretRef: Cilium reads Secret bgp-auth-secret from its BGP secrets namespace (kube-system unless --bgp-secrets-namespace); converted to kube-system/bgp-auth-secret key "password", check it',
      'CiliumBGPAdvertisement/bgp-advertisements spec.advertisements[0].advertisementType: PodCIDR: edgelb announces only LoadBalancer IPs; dropped',
      'CiliumBGPAdvertisement/bgp-advertisements spec.advertisements[1].service.addresses: edgelb announces only LoadBalancer IPs; ClusterIP, ExternalIP dropped',
    ]);
    expectValid(r);
  });

  test('what BGPv2 can express and edgelb cannot is named', () => {
    const r = convertManifests(
      [
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumBGPClusterConfig',
          metadata: { name: 'edge' },
          spec: {
            bgpInstances: [
              {
                name: 'i',
                localASN: 65010,
                localPort: 179,
                peers: [
                  { name: 'auto', autoDiscovery: { mode: 'DefaultGateway' }, peerConfigRef: { name: 'pc' } },
                  { name: 'learn', peerAddress: '10.1.0.1', peerConfigRef: { name: 'pc' } },
                  { name: 'plain', peerAddress: '10.1.0.2', peerASN: 65011 },
                  { name: 'agg', peerAddress: '10.1.0.3', peerASN: 65011, peerConfigRef: { name: 'pc' } },
                ],
              },
            ],
          },
        },
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumBGPPeerConfig',
          metadata: { name: 'pc' },
          spec: { families: [{ afi: 'ipv4', safi: 'unicast', advertisements: { matchLabels: { a: 'b' } } }] },
        },
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumBGPPeerConfig',
          metadata: { name: 'orphan' },
          spec: {},
        },
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumBGPAdvertisement',
          metadata: { name: 'ad', labels: { a: 'b' } },
          spec: {
            advertisements: [
              {
                advertisementType: 'Service',
                service: { addresses: ['LoadBalancerIP'], aggregationLengthIPv4: 24 },
                selector: { matchLabels: { expose: 'bgp' } },
              },
            ],
          },
        },
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumBGPNodeConfigOverride',
          metadata: { name: 'node-1' },
          spec: {},
        },
      ],
      { allowLossy: true },
    );
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'edge' },
        spec: {
          virtualRouters: [
            // The peer with no peer config announces nothing (no serviceSelector) ...
            { localASN: 65010, neighbors: [{ peerAddress: '10.1.0.2', peerASN: 65011 }] },
            // ... and the one whose config selects the advertisement announces its Services.
            {
              localASN: 65010,
              serviceSelector: { matchLabels: { expose: 'bgp' } },
              neighbors: [{ peerAddress: '10.1.0.3', peerASN: 65011 }],
            },
          ],
        },
      },
    ]);
    expect(warnings(r)).toEqual([
      'CiliumBGPNodeConfigOverride/node-1 : not converted: per-node router ID and ports are bgp.routerId and bgp.listenPort in each node’s config',
      'CiliumBGPClusterConfig/edge spec.bgpInstances[0].localPort: edgelb’s listen port is bgp.listenPort in the node config; dropped',
      // Issue 22: both are lossy (errors unless --allow-lossy, which this test passes).
      "CiliumBGPClusterConfig/edge spec.bgpInstances[0].peers[0].autoDiscovery: peer auto is auto-discovered: edgelb peers with an address; write peerAddress (the router's address) and peerASN (converted anyway: --allow-lossy)",
      'CiliumBGPClusterConfig/edge spec.bgpInstances[0].peers[1].peerASN: peer learn: edgelb needs the peer’s ASN (it does not learn it from the OPEN); write peerASN, or the peer is dropped (converted anyway: --allow-lossy)',
      'CiliumBGPClusterConfig/edge spec.bgpInstances[0].peers[2].peerConfigRef: is unset: Cilium announces nothing to this peer; neither does edgelb',
      'CiliumBGPPeerConfig/pc spec.families: edgelb announces IPv4 and IPv6 unicast to every neighbor; [ipv4/unicast] not carried over',
      'CiliumBGPAdvertisement/ad spec.advertisements[0].service.aggregationLengthIPv4: edgelb announces host routes (/32, /128) only; aggregation dropped',
      'CiliumBGPPeerConfig/orphan : no CiliumBGPClusterConfig in the input refers to it; nothing converted',
    ]);
    expectValid(r);
  });
});

describe('MetalLB (IPAddressPool, BGPPeer, BGPAdvertisement, Community)', () => {
  test('pools, and both routers in one policy with the advertisement’s attributes', () => {
    const r = convert('metallb-bgp.yaml');
    expect(r.errors).toEqual([]);
    // localPref is dropped: both routers are eBGP, where LOCAL_PREF is never sent (issue 22).
    const attributes = {
      communities: { standard: ['65535:65282', '1234:1'], large: ['64500:1:2'] },
    };
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'production' },
        spec: {
          blocks: [
            { cidr: '192.168.10.0/24' },
            { start: '192.168.9.1', stop: '192.168.9.5' },
            { cidr: 'fc00:f853:0ccd:e799::/124' },
          ],
          // MetalLB hands out network and broadcast addresses too.
          allowFirstLastIPs: true,
        },
      },
      {
        apiVersion: V,
        kind: 'LoadBalancerIPPool',
        metadata: { name: 'lab' },
        spec: {
          blocks: [{ cidr: '192.168.144.0/20' }],
          autoAssign: false,
          allowFirstLastIPs: false,
          serviceSelector: {
            matchExpressions: [
              {
                key: 'io.kubernetes.service.namespace',
                operator: 'In',
                values: ['namespace-a', 'namespace-b'],
              },
              { key: 'app', operator: 'In', values: ['bar'] },
            ],
          },
        },
      },
      // MetalLB's BFDProfile: milliseconds both sides.
      {
        apiVersion: V,
        kind: 'BFDProfile',
        metadata: { name: 'fast' },
        spec: { receiveIntervalMilliseconds: 100, transmitIntervalMilliseconds: 100 },
      },
      {
        apiVersion: V,
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'external' },
        spec: {
          // The peers' node selector AND the advertisement's.
          nodeSelector: { matchLabels: { rack: 'frontend', 'kubernetes.io/hostname': 'kind-worker' } },
          virtualRouters: [
            {
              localASN: 64500,
              // Limited to the production pool, as in MetalLB (issue 22: no longer widened to every pool).
              advertisements: [
                { serviceSelector: {}, pools: ['production'], advertisedPathAttributes: attributes },
              ],
              neighbors: [
                {
                  peerAddress: '10.0.0.1',
                  peerASN: 64501,
                  holdTimeSeconds: 90,
                  keepAliveTimeSeconds: 30,
                  connectRetryTimeSeconds: 60,
                  authSecretRef: { name: 'router-a-password', namespace: 'metallb-system', key: 'password' },
                },
                {
                  peerAddress: '10.0.0.2',
                  peerASN: 64501,
                  peerPort: 1179,
                  eBGPMultihopTTL: 255,
                  gracefulRestart: { enabled: true },
                  bfdProfile: 'fast',
                },
              ],
            },
          ],
        },
      },
    ]);
    expect(warnings(r)).toEqual([
      'IPAddressPool/lab spec.avoidBuggyIPs: edgelb skips the first and last address of each CIDR, not every .0 and .255 inside larger blocks or ranges',
      'IPAddressPool/lab spec.serviceAllocation.priority: edgelb has no pool priority; dropped',
      'BGPPeer/router-b spec.password: edgelb reads BGP passwords from Secrets only; create one (key "password") and set authSecretRef',
      'BGPAdvertisement/external spec.localPref: LOCAL_PREF is sent to iBGP peers only, by MetalLB and edgelb alike; dropped for the eBGP peer(s) router-a, router-b',
    ]);
    expectValid(r);
  });

  test('a peer no advertisement applies to gets a policy that announces nothing, and is named', () => {
    const r = convertManifests([
      {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'tor', namespace: 'metallb-system' },
        spec: {
          myASN: 64512,
          dynamicASN: 'internal',
          peerAddress: '172.30.0.3',
          holdTime: '1m30s',
          vrf: 'red',
        },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'only-other', namespace: 'metallb-system' },
        spec: { peers: ['other'], aggregationLength: 24, communities: ['no-such-alias'] },
      },
      { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2' }, spec: {} },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        apiVersion: V,
        kind: 'BGPPeeringPolicy',
        metadata: { name: 'tor' },
        // dynamicASN internal = iBGP: the peer's ASN is myASN.
        spec: {
          virtualRouters: [
            {
              localASN: 64512,
              neighbors: [{ peerAddress: '172.30.0.3', peerASN: 64512, holdTimeSeconds: 90 }],
            },
          ],
        },
      },
      // An L2Advertisement with an empty spec: every pool, every node.
      { apiVersion: V, kind: 'L2AnnouncementPolicy', metadata: { name: 'l2' }, spec: {} },
    ]);
    expect(warnings(r)).toEqual([
      'BGPAdvertisement/only-other spec.aggregationLength: edgelb announces /32 host routes only; aggregation dropped',
      'BGPAdvertisement/only-other spec.communities[0]: community alias "no-such-alias" has no Community object in the input; dropped',
      'BGPPeer/tor spec.vrf: edgelb peers in the default VRF only; dropped',
      'BGPPeer/tor : no BGPAdvertisement applies to this peer: MetalLB announces nothing to it, and neither does edgelb',
    ]);
    expectValid(r);
  });
});

describe('input problems', () => {
  test('malformed objects are errors naming object and field; nothing else is lost', () => {
    const r = convertManifests([
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumLoadBalancerIPPool',
        metadata: { name: 'bad' },
        spec: { blocks: [{ cidr: '10.0.0.1/24' }, { start: '10.0.1.9', stop: '10.0.1.1' }] },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: {},
        spec: { addresses: ['10.9.0.0/24'] },
      },
      {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'p' },
        spec: { myASN: 1, peerAddress: '10.0.0.1', holdTime: 'soon' },
      },
      'not an object',
    ]);
    expect(r.errors.map((e) => `${e.object} ${e.field}: ${e.message}`)).toEqual([
      'document 4 : is not a Kubernetes object (apiVersion and kind)',
      'CiliumLoadBalancerIPPool/bad spec.blocks[0].cidr: "10.0.0.1/24" has host bits set (network is 10.0.0.0/24)',
      'CiliumLoadBalancerIPPool/bad spec.blocks[1]: start 10.0.1.9 is after stop 10.0.1.1',
      'IPAddressPool/(unnamed) metadata.name: is required',
      'BGPPeer/p spec.peerASN: edgelb needs the peer’s ASN: set peerASN',
    ]);
    expect(r.objects).toEqual([]);
  });

  test('kubectl get -o yaml lists are flattened; other kinds are skipped with a warning', () => {
    const blog = load('blog-cilium.yaml');
    const r = convertManifests([
      { apiVersion: 'v1', kind: 'List', items: blog },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress-nginx' } },
    ]);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'LoadBalancerIPPool/nginx-ingress',
      'BGPPeeringPolicy/opensense',
    ]);
    expect(warnings(r)).toEqual([
      'Service/ingress-nginx : not a Cilium or MetalLB resource edgelb converts; skipped',
    ]);
  });

  test('two sources with one name: the second is renamed, with a warning', () => {
    const pool = (apiVersion: string) => ({
      apiVersion,
      kind: apiVersion.startsWith('cilium') ? 'CiliumLoadBalancerIPPool' : 'IPAddressPool',
      metadata: { name: 'default' },
      spec: apiVersion.startsWith('cilium')
        ? { blocks: [{ cidr: '10.0.0.0/24' }] }
        : { addresses: ['10.1.0.0/24'] },
    });
    const r = convertManifests([pool('cilium.io/v2'), pool('metallb.io/v1beta1')]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['default', 'default-2']);
    expect(warnings(r)).toEqual([
      'LoadBalancerIPPool/default metadata.name: another LoadBalancerIPPool has this name; renamed to default-2',
    ]);
  });
});
