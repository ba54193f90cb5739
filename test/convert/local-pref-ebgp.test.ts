/** localPref toward an eBGP peer is never sent (RFC 4271 §5.1.5): every converter warns and drops it, iBGP keeps it. */
import { expect, test } from 'bun:test';
import { convertManifests } from '../../agent/convert/convert.ts';

const v1 = (peerASN: number) => ({
  apiVersion: 'cilium.io/v2alpha1',
  kind: 'CiliumBGPPeeringPolicy',
  metadata: { name: 'p' },
  spec: {
    virtualRouters: [
      {
        localASN: 65001,
        serviceSelector: {},
        neighbors: [
          {
            peerASN,
            peerAddress: '192.168.2.1/32',
            advertisedPathAttributes: [
              {
                selectorType: 'CiliumLoadBalancerIPPool',
                localPreference: 200,
                communities: { standard: ['65000:1'] },
              },
            ],
          },
        ],
      },
    ],
  },
});

const neighborOf = (r: ReturnType<typeof convertManifests>) => {
  const p = r.objects.find((o) => o.kind === 'BGPPeeringPolicy');
  return p?.kind === 'BGPPeeringPolicy' ? p.spec.virtualRouters[0]?.neighbors[0] : undefined;
};

test('Cilium v1: dropped toward eBGP with a warning, kept toward iBGP', () => {
  const e = convertManifests([v1(65000)]);
  expect(neighborOf(e)?.advertisedPathAttributes).toEqual({ communities: { standard: ['65000:1'] } });
  expect(e.warnings.map((w) => w.field)).toEqual([
    'spec.virtualRouters[0].neighbors[0].advertisedPathAttributes[0].localPreference',
  ]);
  const i = convertManifests([v1(65001)]);
  expect(neighborOf(i)?.advertisedPathAttributes?.localPreference).toBe(200);
  expect(i.warnings).toEqual([]);
});

test('MetalLB: one warning per advertisement naming the eBGP peers', () => {
  const r = convertManifests([
    ...['a', 'b'].map((name, k) => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name, namespace: 'metallb-system' },
      spec: { myASN: 65001, peerASN: 65000 + k, peerAddress: `192.168.2.${k + 1}` },
    })),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'ad', namespace: 'metallb-system' },
      spec: { localPref: 300 },
    },
  ]);
  expect(r.errors).toEqual([]);
  expect(r.warnings.map((w) => `${w.object} ${w.field}: ${w.message}`)).toEqual([
    'BGPAdvertisement/ad spec.localPref: LOCAL_PREF is sent to iBGP peers only, by MetalLB and edgelb alike; dropped for the eBGP peer(s) a',
  ]);
  const byPeer = new Map(
    r.objects.flatMap((o) =>
      o.kind === 'BGPPeeringPolicy'
        ? o.spec.virtualRouters.flatMap((v) => v.neighbors.map((n) => [n.peerAddress, n]))
        : [],
    ),
  );
  expect(byPeer.get('192.168.2.1')?.advertisedPathAttributes).toBeUndefined();
  expect(byPeer.get('192.168.2.2')?.advertisedPathAttributes).toEqual({ localPreference: 300 });
});
