/**
 * PURE. OPNsense with the os-frr plugin: the same FRR setup as GUI steps, limited to what the
 * plugin's forms hold (BGP general, prefix lists, neighbors with one Prefix-List In, a BFD
 * checkbox and service switch). What the forms cannot hold is refused, naming the field.
 */
import { DEFAULTS } from '../api/defaults.ts';
import { bfdProfiles, families, gracefulRestartSeconds, headerLines, passwordPlaceholder } from './common.ts';
import { acceptedFamilies, hostRouteCidrs } from './filters.ts';
import type { Rendered, RouterPlan } from './types.ts';

/** One name for both IP versions: FRR keeps `ip` and `ipv6` prefix lists apart, so one Prefix-List In covers both. */
const PREFIX_LIST = 'EDGELB';
/** os-frr sequence numbers start at 10. */
const FIRST_SEQ = 10;
const SEQ_STEP = 10;
/** FRR bfdd's timers, which the os-frr BFD form (Enable + neighbors) cannot change. */
const FRR_BFD = { receiveIntervalMs: 300, transmitIntervalMs: 300, detectMultiplier: 3, minimumTtl: 254 };

function refusals(plan: RouterPlan): string[] {
  const errors: string[] = [];
  for (const port of new Set(plan.sessions.map((s) => s.port))) {
    if (port !== DEFAULTS.peerPort)
      errors.push(`the nodes dial port ${port}: the os-frr GUI has no field for BGP's listening port (179)`);
  }
  for (const p of bfdProfiles(plan)) {
    const multihop = plan.sessions.some((s) => s.bfd?.profile === p.profile && s.multihopTTL !== undefined);
    const same =
      p.receiveIntervalMs === FRR_BFD.receiveIntervalMs &&
      p.transmitIntervalMs === FRR_BFD.transmitIntervalMs &&
      p.detectMultiplier === FRR_BFD.detectMultiplier &&
      (!multihop || p.minimumTtl === FRR_BFD.minimumTtl);
    if (!same)
      errors.push(
        `BFDProfile ${p.profile} (receive ${p.transmitIntervalMs} ms, transmit ${p.receiveIntervalMs} ms, x ${p.detectMultiplier}${multihop ? `, minimum TTL ${p.minimumTtl}` : ''}): the os-frr BFD form has no timers, FRR's defaults (300/300 ms x 3, minimum TTL 254) would apply; use them, or set the profile in vtysh`,
      );
  }
  const gtsm = plan.sessions.filter((s) => s.gtsm).map((s) => s.nodeAddress);
  if (gtsm.length > 0)
    errors.push(
      `neighbors ${gtsm.join(', ')} use gtsm: edgelb does not write GTSM (TTL security) for this target; set it on the router by hand (vtysh: neighbor ADDR ttl-security hops 1)`,
    );
  if (new Set(plan.sessions.map((s) => s.nodeASN)).size > 1)
    errors.push(
      'the nodes are in different ASes: ECMP across them needs "bgp bestpath as-path multipath-relax", which the os-frr GUI cannot set',
    );
  return errors;
}

export function renderOpnsense(plan: RouterPlan): Rendered {
  const errors = refusals(plan);
  if (errors.length > 0) return { ok: false, errors };
  const l: string[] = headerLines(plan, 'opnsense');
  const step = (() => {
    let n = 0;
    return (text: string) => l.push('', `${++n}. ${text}`);
  })();
  l.push(
    '',
    'OPNsense with the os-frr plugin (System > Firmware > Plugins: os-frr). edgelb dials out, so OPNsense',
    'only accepts sessions and announces nothing to the nodes.',
  );
  step('Routing > General: check Enable; Apply.');
  const gr = gracefulRestartSeconds(plan) > 0;
  step(
    `Routing > BGP > General: check enable; BGP AS Number ${plan.routerASN}${plan.routerAddresses[4] ? `; Router ID ${plan.routerAddresses[4]}` : ''}; leave Network empty.${gr ? ' Check Graceful Restart (the nodes advertise it).' : ''}`,
  );
  step(`Routing > BGP > Prefix Lists: add one entry per line, all named ${PREFIX_LIST}, action Permit:`);
  let seq = FIRST_SEQ;
  for (const f of families(plan)) {
    for (const c of hostRouteCidrs(plan, f)) {
      // The Network field is passed to FRR as written; "ge" must exceed the length, so a host block stays exact.
      const network = c.exact ? c.cidr : `${c.cidr} ge ${c.host}`;
      l.push(`   - IP version IPv${f}, Sequence Number ${seq}, Network "${network}"`);
      seq += SEQ_STEP;
    }
  }
  if (plan.sessions.some((s) => s.bfd))
    step('Routing > BFD: check Enable; Apply. (No neighbors needed: BGP registers them.)');
  step('Routing > BGP > Neighbors: add one neighbor per line:');
  for (const s of plan.sessions) {
    const fields = [
      `Description "edgelb node ${s.node}"`,
      `Peer-IP ${s.nodeAddress}`,
      `Remote AS ${s.nodeASN}`,
      `Prefix-List In ${PREFIX_LIST}`,
      'Update-Source Interface: the interface facing the nodes',
    ];
    if (s.password) fields.push(`Password ${passwordPlaceholder(s.password)}`);
    if (acceptedFamilies(plan, s).includes(6)) fields.push('check Multi-Protocol');
    if (s.multihopTTL !== undefined) fields.push('check Multi-Hop');
    if (s.bfd) fields.push('check BFD');
    l.push(`   - ${fields.join('; ')}`);
  }
  step(
    "Apply, then check in the OPNsense shell: vtysh -c 'show bgp summary', and for an IP vtysh -c 'show bgp ipv4 unicast IP/32': one path per node, marked multipath.",
  );
  l.push(
    '',
    "The os-frr GUI has no maximum-paths field: FRR's default already installs equal paths from",
    'nodes in the same AS as multipath.',
    '',
  );
  return { ok: true, text: l.join('\n'), warnings: [] };
}
