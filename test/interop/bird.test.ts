/** edgelb against BIRD 2 (receiver in the router namespace). */
import { startBird } from '../support/bird.ts';
import { missing } from '../support/env.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { ROUTER_ASN, runConformance } from './conformance.ts';

const why = missing({ root: true, tools: ['ip', 'bird', 'birdc'] });

runConformance({
  skip: why,
  name: 'BIRD 2',
  family: 'elbb',
  async startReceiver(lan, neighbors) {
    const name = (a: string) => `n${a.replaceAll('.', '_')}`;
    const byProto = new Map(neighbors.map((n) => [`bgp_${name(n.address)}`, n.address]));
    const bird = await startBird(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: TOPOLOGY.router.v4,
      localAddress: TOPOLOGY.router.v4,
      neighbors: neighbors.map((n) => ({ name: name(n.address), address: n.address, remoteAs: n.asn })),
    });
    return {
      async routes(prefix) {
        return (await bird.routes(prefix))
          .filter((r) => byProto.has(r.protocol))
          .map((r) => ({
            from: byProto.get(r.protocol)!,
            nextHop: r.nextHop,
            asPath: r.asPath,
            communities: r.communities,
            largeCommunities: r.largeCommunities,
            localPref: r.localPref,
          }));
      },
      waitEstablished: (a, ms) => bird.waitEstablished(name(a), ms),
      stop: () => bird.stop(),
    };
  },
});
