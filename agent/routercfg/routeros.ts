/**
 * PURE. MikroTik RouterOS 7: a filter chain that accepts only the pools' host routes (a chain
 * rejects what it does not accept), a BFD configuration per profile, and one passive
 * /routing/bgp/connection per node session with the chain as its input filter.
 */
import type { Family } from '../net/ip.ts';
import {
  bfdProfiles,
  gracefulRestartSeconds,
  headerLines,
  isIBGP,
  passwordPlaceholder,
  sessionNames,
} from './common.ts';
import { acceptedFamilies, hostRouteCidrs } from './filters.ts';
import type { Rendered, RouterPlan } from './types.ts';

const CHAIN = 'edgelb-in';
const ADDRESS_FAMILY: Record<Family, string> = { 4: 'ip', 6: 'ipv6' };

export function renderRouterOS(plan: RouterPlan): Rendered {
  const gtsm = plan.sessions.filter((s) => s.gtsm).map((s) => s.nodeAddress);
  if (gtsm.length > 0)
    return {
      ok: false,
      errors: [
        `neighbors ${gtsm.join(', ')} use gtsm: edgelb does not write GTSM (TTL security) for this target; configure it on the router by hand`,
      ],
    };
  const warnings: string[] = [];
  const l: string[] = headerLines(plan, 'routeros').map((h) => `# ${h}`);
  l.push('# edgelb dials out: the router only accepts (connect=no) and announces nothing to the nodes.');
  l.push('/routing/filter/rule');
  for (const f of [4, 6] as const) {
    for (const c of hostRouteCidrs(plan, f)) {
      l.push(`add chain=${CHAIN} rule="if (dst in ${c.cidr} && dst-len == ${c.host}) { accept }"`);
    }
  }
  const profiles = bfdProfiles(plan);
  if (profiles.length > 0) {
    l.push('/routing/bfd/configuration');
    for (const p of profiles) {
      const addrs = plan.sessions.filter((s) => s.bfd?.profile === p.profile).map((s) => s.nodeAddress);
      l.push(
        `add addresses=${addrs.join(',')} min-rx=${p.receiveIntervalMs}ms min-tx=${p.transmitIntervalMs}ms multiplier=${p.detectMultiplier} comment="edgelb BFDProfile ${p.profile}"`,
      );
    }
    const mh = plan.sessions.filter((s) => s.bfd && s.multihopTTL !== undefined);
    if (mh.length > 0)
      warnings.push(
        'RouterOS has no minimum TTL for multihop BFD: the minimumTtl of the BFD profiles is not applied',
      );
  }
  l.push('/routing/bgp/connection');
  const names = sessionNames(plan, '-', (n) => `edgelb-${n}`);
  for (const s of plan.sessions) {
    const parts = [
      `add name=${names.get(s)}`,
      `as=${plan.routerASN}`,
      `local.role=${isIBGP(plan, s) ? 'ibgp' : 'ebgp'}`,
    ];
    const local = plan.routerAddresses[s.family];
    if (local) parts.push(`local.address=${local}`);
    if (s.port !== 179) parts.push(`local.port=${s.port}`);
    parts.push(`remote.address=${s.nodeAddress}`, `remote.as=${s.nodeASN}`, 'connect=no', 'listen=yes');
    if (s.multihopTTL !== undefined) parts.push('multihop=yes');
    if (s.password) parts.push(`tcp-md5-key="${passwordPlaceholder(s.password)}"`);
    if (s.bfd) parts.push('use-bfd=yes');
    const afs = acceptedFamilies(plan, s).map((f) => ADDRESS_FAMILY[f]);
    if (afs.length > 0) parts.push(`address-families=${afs.join(',')}`);
    parts.push(`input.filter=${CHAIN}`);
    if (plan.routerAddresses[4]) parts.push(`router-id=${plan.routerAddresses[4]}`);
    parts.push(`comment="edgelb node ${s.node}"`);
    l.push(parts.join(' '));
  }
  l.push('');
  if (new Set(plan.sessions.map((s) => s.node)).size > 1)
    warnings.push(
      'RouterOS does not install BGP multipath (ECMP): it uses one node per IP and fails over to another when that session drops',
    );
  if (gracefulRestartSeconds(plan) > 0)
    warnings.push(
      'RouterOS 7 has no graceful-restart setting on a connection: the nodes advertise it, RouterOS decides',
    );
  return { ok: true, text: l.join('\n'), warnings };
}
