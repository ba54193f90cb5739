/**
 * PURE. Cilium BGPv2 (CiliumBGPClusterConfig + CiliumBGPPeerConfig + CiliumBGPAdvertisement,
 * cilium.io/v2 or v2alpha1) -> one BGPPeeringPolicy per cluster config. Each peer takes its
 * timers, auth and graceful restart from its peer config, and its Service selector and path
 * attributes from the Service advertisements that config's families select by label (several:
 * advertisements[], each with its selector and attributes). Peers of one instance that announce
 * differently become separate virtual routers.
 */
import type {
  BGPNeighbor,
  BGPPathAttributes,
  BGPPeeringPolicy,
  BGPVirtualRouter,
  LabelSelector,
} from '../api/v1alpha1.ts';
import { compileSelector } from '../ipam/selector.ts';
import { checkFamilies, ciliumAuthSecretRef, policySkeleton } from './cilium-bgp-v1.ts';
import { ciliumCommunities, pathAttributes } from './communities.ts';
import { toSelector } from './selector.ts';
import { asList, at, intIn, isMap, metaLabels, type Notes, present, type Rec, UINT32_MAX } from './types.ts';

export interface BGPv2Inputs {
  peerConfigs: Map<string, { doc: Rec; notes: Notes }>;
  advertisements: { doc: Rec; notes: Notes }[];
  /** Peer config names some cluster config refers to (filled in while converting). */
  referenced: Set<string>;
}

interface Found {
  selector: LabelSelector;
  attributes?: BGPPathAttributes;
  where: string;
  notes: Notes;
}

/**
 * The Service advertisements the peer config's families select, each with its selector and
 * attributes, with notes on the rest. Cilium announces the union of what they select, a
 * Service matched by several getting the union of their communities: edgelb's advertisements[].
 */
function announcements(peerConfig: Rec, inputs: BGPv2Inputs, reported: Set<string>): Found[] {
  const spec = isMap(peerConfig.spec) ? peerConfig.spec : {};
  const selected: { doc: Rec; notes: Notes }[] = [];
  for (const fam of asList(spec.families)) {
    if (!isMap(fam) || !present(fam.advertisements)) continue;
    const sel = compileSelector(fam.advertisements as LabelSelector);
    if (!sel.ok) continue;
    for (const a of inputs.advertisements) {
      if (sel.matches(metaLabels(a.doc) ?? {}) && !selected.includes(a)) selected.push(a);
    }
  }
  const found: Found[] = [];
  for (const a of selected) {
    const spec = isMap(a.doc.spec) ? a.doc.spec : {};
    for (const [i, ad] of asList(spec.advertisements).entries()) {
      const f = at('spec.advertisements', i);
      const key = `${a.notes.object} ${f}`;
      const once = (field: string, message: string) => {
        if (!reported.has(`${key} ${field}`)) a.notes.warn(field, message);
        reported.add(`${key} ${field}`);
      };
      if (!isMap(ad)) continue;
      if (ad.advertisementType !== 'Service') {
        once(
          at(f, 'advertisementType'),
          `${String(ad.advertisementType)}: edgelb announces only LoadBalancer IPs; dropped`,
        );
        continue;
      }
      const svc = isMap(ad.service) ? ad.service : {};
      const addresses = asList(svc.addresses);
      const other = addresses.filter((x) => x !== 'LoadBalancerIP');
      if (other.length > 0)
        once(
          at(at(f, 'service'), 'addresses'),
          `edgelb announces only LoadBalancer IPs; ${other.join(', ')} dropped`,
        );
      for (const k of ['aggregationLengthIPv4', 'aggregationLengthIPv6']) {
        if (present(svc[k]))
          once(at(at(f, 'service'), k), 'edgelb announces host routes (/32, /128) only; aggregation dropped');
      }
      if (!addresses.includes('LoadBalancerIP')) continue;
      if (!present(ad.selector)) {
        once(at(f, 'selector'), 'is unset, so Cilium announces no Service here; neither does edgelb');
        continue;
      }
      const selector = toSelector(ad.selector, at(f, 'selector'), a.notes);
      if (!selector) continue;
      const attrs = isMap(ad.attributes) ? ad.attributes : {};
      const attributes = pathAttributes(
        ciliumCommunities(attrs.communities, at(at(f, 'attributes'), 'communities'), a.notes),
        intIn(attrs.localPreference, 0, UINT32_MAX),
      );
      found.push({ selector, ...(attributes ? { attributes } : {}), where: f, notes: a.notes });
    }
  }
  const out: Found[] = [];
  for (const f of found)
    if (
      !out.some(
        (x) =>
          JSON.stringify([x.selector, x.attributes ?? null]) ===
          JSON.stringify([f.selector, f.attributes ?? null]),
      )
    )
      out.push(f);
  return out;
}

/** localPreference is never sent to an eBGP peer (by Cilium or edgelb): dropped with a warning. */
function forPeer(found: Found[], localASN: number, peerASN: number, peer: string, reported: Set<string>) {
  return found.map((f) => {
    if (f.attributes?.localPreference === undefined || localASN === peerASN) return f;
    const key = `${f.notes.object} ${f.where} localPreference ${peer}`;
    if (!reported.has(key)) {
      reported.add(key);
      f.notes.warn(
        at(at(f.where, 'attributes'), 'localPreference'),
        `LOCAL_PREF is sent to iBGP peers only, by Cilium and edgelb alike; dropped for the eBGP peer ${peer}`,
      );
    }
    const { localPreference: _, ...rest } = f.attributes;
    return Object.keys(rest).length > 0 ? { ...f, attributes: rest } : { ...f, attributes: undefined };
  });
}

function neighborFromPeerConfig(base: BGPNeighbor, pc: Rec, notes: Notes): BGPNeighbor {
  const spec = isMap(pc.spec) ? pc.spec : {};
  const n = { ...base };
  const transport = isMap(spec.transport) ? spec.transport : {};
  if (present(transport.peerPort)) n.peerPort = intIn(transport.peerPort, 1, 65535);
  if (present(transport.localPort))
    notes.warn(
      'spec.transport.localPort',
      'edgelb’s listen port is bgp.listenPort in the node config; dropped',
    );
  const timers = isMap(spec.timers) ? spec.timers : {};
  for (const k of ['connectRetryTimeSeconds', 'holdTimeSeconds', 'keepAliveTimeSeconds'] as const) {
    if (present(timers[k])) n[k] = intIn(timers[k], 0, 65535);
  }
  if (present(spec.ebgpMultihop)) n.eBGPMultihopTTL = intIn(spec.ebgpMultihop, 1, 255);
  if (isMap(spec.gracefulRestart)) {
    const g: NonNullable<BGPNeighbor['gracefulRestart']> = {};
    if (present(spec.gracefulRestart.enabled)) g.enabled = spec.gracefulRestart.enabled === true;
    const t = intIn(spec.gracefulRestart.restartTimeSeconds, 1, 4095);
    if (t !== undefined) g.restartTimeSeconds = t;
    n.gracefulRestart = g;
  }
  if (present(spec.authSecretRef))
    n.authSecretRef = ciliumAuthSecretRef(spec.authSecretRef, 'spec.authSecretRef', notes);
  checkFamilies(
    asList(spec.families).map((f) => (isMap(f) ? { afi: f.afi, safi: f.safi } : f)),
    'spec.families',
    notes,
  );
  for (const key of Object.keys(spec)) {
    if (
      !['transport', 'timers', 'ebgpMultihop', 'gracefulRestart', 'authSecretRef', 'families'].includes(key)
    ) {
      notes.warn(at('spec', key), 'is not a field edgelb knows; dropped');
    }
  }
  return n;
}

export function convertBGPClusterConfig(
  doc: Rec,
  name: string,
  notes: Notes,
  inputs: BGPv2Inputs,
  reported: Set<string>,
): BGPPeeringPolicy | undefined {
  const spec = isMap(doc.spec) ? doc.spec : {};
  const errors = notes.errorCount();
  const out = policySkeleton(doc, spec, name, notes);
  for (const [i, inst] of asList(spec.bgpInstances).entries()) {
    const f = at('spec.bgpInstances', i);
    if (!isMap(inst)) {
      notes.error(f, 'must be a BGP instance');
      continue;
    }
    const localASN = intIn(inst.localASN, 1, UINT32_MAX);
    if (localASN === undefined) {
      notes.error(at(f, 'localASN'), `must be an ASN 1..${UINT32_MAX}`);
      continue;
    }
    if (present(inst.localPort))
      notes.warn(at(f, 'localPort'), 'edgelb’s listen port is bgp.listenPort in the node config; dropped');
    const routers: BGPVirtualRouter[] = [];
    for (const [j, p] of asList(inst.peers).entries()) {
      const pf = at(at(f, 'peers'), j);
      if (!isMap(p)) {
        notes.error(pf, 'must be a peer');
        continue;
      }
      if (present(p.autoDiscovery)) {
        // Auto-discovered (the default gateway, unnumbered): who the peer is is only known on
        // the node. Dropping it silently would stop announcing to it.
        notes.lossy(
          at(pf, 'autoDiscovery'),
          `peer ${String(p.name ?? j)} is auto-discovered: edgelb peers with an address; write peerAddress (the router's address) and peerASN`,
        );
        continue;
      }
      if (typeof p.peerAddress !== 'string' || p.peerAddress === '') {
        notes.error(at(pf, 'peerAddress'), 'is required');
        continue;
      }
      const peerASN = intIn(p.peerASN, 1, UINT32_MAX);
      if (peerASN === undefined) {
        notes.lossy(
          at(pf, 'peerASN'),
          `peer ${String(p.name ?? j)}: edgelb needs the peer’s ASN (it does not learn it from the OPEN); write peerASN, or the peer is dropped`,
        );
        continue;
      }
      let n: BGPNeighbor = { peerAddress: p.peerAddress, peerASN };
      let found: Found[] = [];
      const ref = isMap(p.peerConfigRef) ? String(p.peerConfigRef.name ?? '') : '';
      const pc = ref ? inputs.peerConfigs.get(ref) : undefined;
      if (ref) inputs.referenced.add(ref);
      if (pc) {
        n = neighborFromPeerConfig(n, pc.doc, pc.notes);
        found = forPeer(announcements(pc.doc, inputs, reported), localASN, peerASN, p.peerAddress, reported);
      } else {
        notes.warn(
          at(pf, 'peerConfigRef'),
          ref
            ? `no CiliumBGPPeerConfig ${ref} in the input: default timers, and no Service is announced`
            : 'is unset: Cilium announces nothing to this peer; neither does edgelb',
        );
      }
      // One advertisement: the virtual router's serviceSelector, its attributes on the neighbor
      // (the form of the single-advertisement setups); several: advertisements[].
      let shape: Omit<BGPVirtualRouter, 'neighbors'> = { localASN };
      const [one] = found;
      if (found.length === 1 && one) {
        shape = { localASN, serviceSelector: one.selector };
        if (one.attributes) n.advertisedPathAttributes = one.attributes;
      } else if (found.length > 1)
        shape = {
          localASN,
          advertisements: found.map((f) => ({
            serviceSelector: f.selector,
            ...(f.attributes ? { advertisedPathAttributes: f.attributes } : {}),
          })),
        };
      const key = JSON.stringify(shape);
      let vr = routers.find(({ neighbors: _, ...r }) => JSON.stringify(r) === key);
      if (!vr) {
        vr = { ...shape, neighbors: [] };
        routers.push(vr);
      }
      vr.neighbors.push(n);
    }
    out.spec.virtualRouters.push(...routers);
  }
  if (out.spec.virtualRouters.length === 0 && notes.errorCount() === errors) {
    notes.error('spec.bgpInstances', 'no BGP instance with a usable peer');
  }
  return notes.errorCount() === errors ? out : undefined;
}
