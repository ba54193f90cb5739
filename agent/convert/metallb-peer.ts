/**
 * PURE. One MetalLB BGPPeer -> the edgelb neighbor it becomes, with its local ASN and the
 * (ORed) node selectors it peers from; what edgelb cannot say is an error, a lossy note or a
 * warning, as the field deserves.
 */
import type { BGPNeighbor, LabelSelector } from '../api/v1alpha1.ts';
import { orSelectors, type Source, warnUnknown } from './metallb-source.ts';
import { at, intIn, isMap, present, UINT32_MAX } from './types.ts';

/** Go duration ("90s", "1m30s", "3m") in whole seconds. */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string' || !/^((\d+(\.\d+)?)(h|m|s|ms))+$/.test(v.trim())) return undefined;
  let ms = 0;
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
  }
  return Math.round(ms / 1000);
}

const PEER_DROPPED: Record<string, string> = {
  vrf: 'edgelb peers in the default VRF only',
  sourceAddress: 'edgelb picks the source address by the route to the peer',
  routerID: 'the router ID is bgp.routerId in the node config',
  localASN: 'edgelb announces with myASN',
  disableMP: 'edgelb always negotiates IPv4 and IPv6 unicast',
  dualStackAddressFamily: 'edgelb always negotiates IPv4 and IPv6 unicast',
};

export interface PeerPlan {
  peer: Source;
  localASN: number;
  neighbor: BGPNeighbor;
  /** ORed ([undefined]: every node). */
  nodeSelectors: (LabelSelector | undefined)[];
}

export function peerPlan(s: Source, bfdNames: ReadonlySet<string>): PeerPlan | undefined {
  const { doc, notes } = s;
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const localASN = intIn(spec.myASN, 1, UINT32_MAX);
  if (localASN === undefined) notes.error('spec.myASN', `must be an ASN 1..${UINT32_MAX}`);
  let peerASN = intIn(spec.peerASN, 1, UINT32_MAX);
  if (peerASN === undefined && spec.dynamicASN === 'internal' && localASN !== undefined) peerASN = localASN;
  if (peerASN === undefined && spec.dynamicASN === 'external') {
    // The ASN is learnt from the peer's OPEN: handled as Cilium's peer without peerASN.
    notes.lossy(
      'spec.dynamicASN',
      `BGPPeer ${s.name}: edgelb needs the peer’s ASN (it does not learn it from the OPEN); write peerASN, or the peer is dropped`,
    );
    return undefined;
  }
  if (peerASN === undefined) {
    notes.error(
      present(spec.dynamicASN) ? 'spec.dynamicASN' : 'spec.peerASN',
      'edgelb needs the peer’s ASN: set peerASN',
    );
  }
  if (present(spec.interface) && spec.interface !== '') {
    // BGP unnumbered: the peer is whoever answers on that interface. Converting it without an
    // address would peer with nobody (or, with a guess, with the wrong router).
    notes.lossy(
      'spec.interface',
      `BGPPeer ${s.name} is unnumbered (interface ${String(spec.interface)}): edgelb peers with an address; write spec.peerAddress (the router's address on ${String(spec.interface)}) and peerASN`,
    );
    return undefined;
  }
  if (typeof spec.peerAddress !== 'string' || spec.peerAddress === '')
    notes.error('spec.peerAddress', 'is required');
  if (notes.errorCount() !== errors || localASN === undefined || peerASN === undefined) return undefined;
  const n: BGPNeighbor = { peerAddress: String(spec.peerAddress), peerASN };
  if (present(spec.peerPort)) n.peerPort = intIn(spec.peerPort, 1, 65535);
  for (const [from, to] of [
    ['holdTime', 'holdTimeSeconds'],
    ['keepaliveTime', 'keepAliveTimeSeconds'],
    ['connectTime', 'connectRetryTimeSeconds'],
  ] as const) {
    if (!present(spec[from])) continue;
    const sec = durationSeconds(spec[from]);
    if (sec === undefined)
      notes.error(at('spec', from), `must be a duration such as "90s", got ${JSON.stringify(spec[from])}`);
    else n[to] = sec;
  }
  // FRR's "neighbor X ebgp-multihop" without a TTL means 255 hops, which is what MetalLB configures.
  if (spec.ebgpMultiHop === true) n.eBGPMultihopTTL = 255;
  if (spec.enableGracefulRestart === true) n.gracefulRestart = { enabled: true };
  if (typeof spec.bfdProfile === 'string' && spec.bfdProfile !== '') {
    n.bfdProfile = spec.bfdProfile;
    if (!bfdNames.has(spec.bfdProfile))
      notes.warn(
        'spec.bfdProfile',
        `no BFDProfile "${spec.bfdProfile}" in the input: edgelb runs this neighbor without BFD until one with that name exists`,
      );
  }
  if (isMap(spec.passwordSecret)) {
    const ns =
      spec.passwordSecret.namespace ??
      (isMap(doc.metadata) ? doc.metadata.namespace : undefined) ??
      'metallb-system';
    n.authSecretRef = { name: String(spec.passwordSecret.name), namespace: String(ns), key: 'password' };
  }
  if (present(spec.password)) {
    notes.warn(
      'spec.password',
      'edgelb reads BGP passwords from Secrets only; create one (key "password") and set authSecretRef',
    );
  }
  for (const [k, why] of Object.entries(PEER_DROPPED)) {
    if (present(spec[k]) && spec[k] !== false && spec[k] !== '') notes.warn(at('spec', k), `${why}; dropped`);
  }
  warnUnknown(
    spec,
    [
      'myASN',
      'peerASN',
      'dynamicASN',
      'peerAddress',
      'peerPort',
      'holdTime',
      'keepaliveTime',
      'connectTime',
      'ebgpMultiHop',
      'enableGracefulRestart',
      'passwordSecret',
      'password',
      'nodeSelectors',
      'bfdProfile',
      'interface',
      ...Object.keys(PEER_DROPPED),
    ],
    notes,
  );
  const nodeSelectors = orSelectors(spec.nodeSelectors, 'spec.nodeSelectors', notes);
  return { peer: s, localASN, neighbor: n, nodeSelectors };
}
