/**
 * PURE. The attribute set edgelb sends to one peer (RFC 4271 §5.1, RFC 6793 §4.2.2):
 * ORIGIN IGP; AS_PATH with our ASN on eBGP (AS_TRANS plus AS4_PATH when the peer is
 * not 4-octet capable), empty on iBGP; NEXT_HOP for IPv4; LOCAL_PREF on iBGP only;
 * communities and large communities as configured; MULTI_EXIT_DISC when set; the local AS
 * repeated asPathPrepend more times on eBGP (never on iBGP, where the peer's loop detection
 * would drop a path holding its own AS).
 */
import { PEER_DEFAULTS } from '../peer.ts';
import { AS_TRANS, type PathAttributes, parseCommunity, parseLargeCommunity } from '../wire/index.ts';

export interface OutboundPolicy {
  localASN: number;
  peerASN: number;
  as4: boolean;
  nextHopV4?: string;
  communities: readonly string[];
  largeCommunities: readonly string[];
  localPreference?: number;
  med?: number;
  asPathPrepend?: number;
}

export function outboundAttributes(p: OutboundPolicy): PathAttributes {
  const ibgp = p.localASN === p.peerASN;
  const a: PathAttributes = { origin: 0 };
  if (ibgp) a.asPath = [];
  else {
    const copies = 1 + (p.asPathPrepend ?? 0);
    if (p.as4 || p.localASN <= 0xffff) a.asPath = [{ type: 2, asns: Array(copies).fill(p.localASN) }];
    else {
      a.asPath = [{ type: 2, asns: Array(copies).fill(AS_TRANS) }];
      a.as4Path = [{ type: 2, asns: Array(copies).fill(p.localASN) }];
    }
  }
  if (p.nextHopV4) a.nextHop = p.nextHopV4;
  if (p.med !== undefined) a.med = p.med;
  if (ibgp) a.localPref = p.localPreference ?? PEER_DEFAULTS.localPreference;
  const cs = p.communities.map(parseCommunity).filter((c): c is number => c !== undefined);
  if (cs.length) a.communities = [...new Set(cs)].sort((x, y) => x - y);
  const ls = p.largeCommunities.map(parseLargeCommunity).filter((l): l is [number, number, number] => !!l);
  if (ls.length) a.largeCommunities = ls;
  return a;
}
