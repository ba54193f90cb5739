/** edgelb against ExaBGP 4 (receiver in the router namespace, routes read from its JSON API). */
import { missing } from '../support/env.ts';
import { startExaBgp } from '../support/exabgp.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { ROUTER_ASN, runConformance } from './conformance.ts';

const why = missing({ root: true, tools: ['ip', 'exabgp'] });

runConformance({
  skip: why,
  name: 'ExaBGP 4',
  family: 'elbx',
  async startReceiver(lan, neighbors) {
    const exa = await startExaBgp(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: TOPOLOGY.router.v4,
      localAddress: TOPOLOGY.router.v4,
      neighbors: neighbors.map((n) => ({ address: n.address, remoteAs: n.asn })),
      gracefulRestartSeconds: 120,
    });
    return {
      async routes(prefix) {
        return (exa.routes().get(prefix) ?? []).map((r) => ({
          from: r.peer,
          nextHop: r.nextHop,
          asPath: r.asPath,
          communities: r.communities,
          largeCommunities: r.largeCommunities,
          localPref: r.localPref,
        }));
      },
      waitEstablished: (a, ms) => exa.waitUp(a, ms),
      stop: () => exa.stop(),
    };
  },
});
