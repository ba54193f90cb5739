/**
 * PURE. BIRD 2 (bird.conf): import filters that accept only the pools' host routes (eBGP in
 * BIRD needs explicit filters, RFC 8212), kernel protocols with `merge paths` so every
 * node's equal path is installed (ECMP), a `protocol bfd` when a session uses BFD (each
 * session carries its profile's timers), and one passive `protocol bgp` per node session.
 */
import type { Family } from '../net/ip.ts';
import {
  families,
  headerLines,
  isIBGP,
  maxPaths,
  passwordPlaceholder,
  sessionNames,
  symbol,
} from './common.ts';
import { acceptedFamilies, hostRouteCidrs } from './filters.ts';
import type { Rendered, RouterPlan } from './types.ts';

const FILTER: Record<Family, string> = { 4: 'edgelb_in4', 6: 'edgelb_in6' };
const CHANNEL: Record<Family, string> = { 4: 'ipv4', 6: 'ipv6' };

export function renderBird(plan: RouterPlan): Rendered {
  const warnings: string[] = [];
  const l: string[] = headerLines(plan, 'bird').map((h) => `# ${h}`);
  l.push('# edgelb dials out: the router only accepts (passive) and announces nothing to the nodes.');
  if (plan.routerAddresses[4]) l.push(`router id ${plan.routerAddresses[4]};`);
  l.push('protocol device { scan time 10; }', '');
  const fams = families(plan);
  const width = maxPaths(plan);
  l.push('# Install every equal best path (one per node) into the kernel: ECMP.');
  for (const f of fams) {
    l.push(
      `protocol kernel edgelb_kernel${f} {`,
      `  ${CHANNEL[f]} { export where source = RTS_BGP; };`,
      `  merge paths on limit ${width};`,
      '}',
    );
  }
  l.push('', '# Accept only host routes inside the LoadBalancer pools.');
  for (const f of fams) {
    const set = hostRouteCidrs(plan, f)
      .map((c) => `${c.cidr}{${c.host},${c.host}}`)
      .join(', ');
    l.push(`filter ${FILTER[f]} { if net ~ [ ${set} ] then accept; reject; }`);
  }
  if (plan.sessions.some((s) => s.bfd)) {
    l.push(
      '',
      '# BFD sessions are requested by the BGP protocols below (bfd { ... }).',
      'protocol bfd edgelb_bfd {',
      '}',
    );
    const mh = plan.sessions.filter((s) => s.bfd && s.multihopTTL !== undefined);
    if (mh.length > 0) {
      warnings.push(
        `BIRD has no minimum TTL for multihop BFD: the sessions of ${[...new Set(mh.map((s) => s.node))].join(', ')} accept any TTL`,
      );
    }
  }
  const names = sessionNames(plan, '_', (n) => `edgelb_${symbol(n)}`);
  for (const s of plan.sessions) {
    const local = plan.routerAddresses[s.family];
    l.push(
      '',
      `protocol bgp ${names.get(s)} {`,
      `  description "edgelb node ${s.node}";`,
      `  local ${local}${s.port !== 179 ? ` port ${s.port}` : ''} as ${plan.routerASN};`,
      `  neighbor ${s.nodeAddress} as ${s.nodeASN};`,
      '  passive on;',
    );
    if (s.multihopTTL !== undefined && !isIBGP(plan, s)) l.push(`  multihop ${s.multihopTTL};`);
    if (s.gtsm) l.push('  ttl security on;');
    if (s.password) l.push(`  password "${passwordPlaceholder(s.password)}";`);
    if (s.gracefulRestartSeconds !== undefined) l.push('  graceful restart on;');
    if (s.bfd) {
      const b = s.bfd;
      l.push(
        `  bfd { min rx interval ${b.receiveIntervalMs} ms; min tx interval ${b.transmitIntervalMs} ms; multiplier ${b.detectMultiplier}; };`,
      );
    }
    for (const f of acceptedFamilies(plan, s)) {
      l.push(`  ${CHANNEL[f]} { import filter ${FILTER[f]}; export none; };`);
    }
    l.push('}');
  }
  l.push('');
  return { ok: true, text: l.join('\n'), warnings };
}
