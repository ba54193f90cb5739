/**
 * PURE. FRR (frr.conf, integrated config): prefix lists of the pools' host routes, one
 * inbound route-map per family (FRR's `bgp ebgp-requires-policy` accepts nothing without
 * one), the `bfd` block with one profile per BFDProfile, and `router bgp` with a passive
 * neighbor per node session, ECMP (`maximum-paths`) and graceful restart.
 */
import type { Family } from '../net/ip.ts';
import {
  bfdProfiles,
  families,
  gracefulRestartSeconds,
  headerLines,
  isIBGP,
  maxPaths,
  passwordPlaceholder,
} from './common.ts';
import { acceptedFamilies, hostRouteCidrs } from './filters.ts';
import type { Rendered, RouterPlan } from './types.ts';

const PREFIX_LIST: Record<Family, string> = { 4: 'EDGELB-V4', 6: 'EDGELB-V6' };
const ROUTE_MAP: Record<Family, string> = { 4: 'EDGELB-IN-V4', 6: 'EDGELB-IN-V6' };
const AFI: Record<Family, string> = { 4: 'ipv4', 6: 'ipv6' };
const MATCH: Record<Family, string> = { 4: 'ip', 6: 'ipv6' };
const SEQ_STEP = 10;

export function renderFrr(plan: RouterPlan): Rendered {
  const warnings: string[] = [];
  const l: string[] = headerLines(plan, 'frr').map((h) => `! ${h}`);
  l.push('! edgelb dials out: the router only accepts (passive) and announces nothing to the nodes.', '!');
  const fams = families(plan);
  for (const f of fams) {
    hostRouteCidrs(plan, f).forEach((c, i) => {
      // FRR refuses "ge" equal to the prefix length: a /32 block is matched exactly.
      const range = c.exact ? '' : ` ge ${c.host}`;
      l.push(`${MATCH[f]} prefix-list ${PREFIX_LIST[f]} seq ${(i + 1) * SEQ_STEP} permit ${c.cidr}${range}`);
    });
  }
  if (fams.length > 0) l.push('!');
  for (const f of fams) {
    l.push(
      `route-map ${ROUTE_MAP[f]} permit 10`,
      ` match ${MATCH[f]} address prefix-list ${PREFIX_LIST[f]}`,
      'exit',
    );
  }
  if (fams.length > 0) l.push('!');

  const profiles = bfdProfiles(plan);
  if (profiles.length > 0) {
    l.push('bfd');
    for (const p of profiles) {
      const multihop = plan.sessions.some((s) => s.bfd?.profile === p.profile && s.multihopTTL !== undefined);
      l.push(
        ` profile ${p.profile}`,
        `  detect-multiplier ${p.detectMultiplier}`,
        `  receive-interval ${p.receiveIntervalMs}`,
        `  transmit-interval ${p.transmitIntervalMs}`,
      );
      if (multihop) l.push(`  minimum-ttl ${p.minimumTtl}`);
      l.push(' exit', ' !');
    }
    l.push('exit', '!');
  }

  l.push(`router bgp ${plan.routerASN}`);
  if (plan.routerAddresses[4]) l.push(` bgp router-id ${plan.routerAddresses[4]}`);
  const gr = gracefulRestartSeconds(plan);
  if (gr > 0) l.push(' bgp graceful-restart');
  // Paths from nodes in different ASes are equal only with multipath-relax.
  if (new Set(plan.sessions.map((s) => s.nodeASN)).size > 1) l.push(' bgp bestpath as-path multipath-relax');
  const ports = new Set(plan.sessions.map((s) => s.port));
  for (const port of ports) {
    if (port !== 179)
      warnings.push(
        `the nodes dial port ${port}: frr.conf cannot set bgpd's listening port; start bgpd with -p ${port}`,
      );
  }
  for (const s of plan.sessions) {
    const n = ` neighbor ${s.nodeAddress}`;
    l.push(`${n} remote-as ${s.nodeASN}`, `${n} description edgelb node ${s.node}`, `${n} passive`);
    if (s.multihopTTL !== undefined && !isIBGP(plan, s)) l.push(`${n} ebgp-multihop ${s.multihopTTL}`);
    if (s.gtsm) l.push(`${n} ttl-security hops 1`);
    if (s.password) l.push(`${n} password ${passwordPlaceholder(s.password)}`);
    if (s.bfd) l.push(`${n} bfd`, `${n} bfd profile ${s.bfd.profile}`);
  }
  const width = maxPaths(plan);
  const ibgp = plan.sessions.some((s) => isIBGP(plan, s));
  for (const f of fams) {
    l.push(` address-family ${AFI[f]} unicast`, `  maximum-paths ${width}`);
    if (ibgp) l.push(`  maximum-paths ibgp ${width}`);
    for (const s of plan.sessions) {
      // FRR activates IPv4 for every neighbor by default: a node's IPv6 session that should not carry IPv4 is turned off.
      if (!acceptedFamilies(plan, s).includes(f)) {
        l.push(`  no neighbor ${s.nodeAddress} activate`);
        continue;
      }
      l.push(
        `  neighbor ${s.nodeAddress} activate`,
        `  neighbor ${s.nodeAddress} route-map ${ROUTE_MAP[f]} in`,
      );
    }
    l.push(' exit-address-family');
  }
  l.push('exit', '');
  return { ok: true, text: l.join('\n'), warnings };
}
