/** PURE. Address blocks checked with agent/net/ip: a CIDR, or a start/stop range of one family. */
import { API_VERSION, type IPBlock, type LoadBalancerIPPool } from '../api/v1alpha1.ts';
import { compareIP, parseCidr, parseIP } from '../net/ip.ts';
import { metaLabels, type Notes, type Rec } from './types.ts';

export function ipBlockFromCidr(text: string, field: string, notes: Notes): IPBlock | undefined {
  const cidr = text.trim();
  const r = parseCidr(cidr, { strict: true });
  if (!r.ok) return void notes.error(field, r.error);
  return { cidr };
}

export function ipBlockFromRange(
  startText: string,
  stopText: string,
  field: string,
  notes: Notes,
): IPBlock | undefined {
  const start = startText.trim();
  const stop = stopText.trim();
  const a = parseIP(start);
  const b = parseIP(stop);
  if (!a.ok) return void notes.error(`${field}.start`, a.error);
  if (!b.ok) return void notes.error(`${field}.stop`, b.error);
  if (a.value.family !== b.value.family)
    return void notes.error(field, `${start} and ${stop} are of different IP families`);
  if (compareIP(a.value, b.value) > 0) return void notes.error(field, `start ${start} is after stop ${stop}`);
  return { start, stop };
}

/** MetalLB's address notation: "10.0.0.0/24", "10.0.0.10-10.0.0.20" (spaces allowed) or a bare address. */
export function ipBlockFromMetalLB(text: string, field: string, notes: Notes): IPBlock | undefined {
  const s = text.trim();
  if (s.includes('-')) {
    const [start = '', stop = ''] = s.split('-', 2);
    return ipBlockFromRange(start, stop, field, notes);
  }
  if (!s.includes('/')) {
    const ip = parseIP(s);
    if (!ip.ok) return void notes.error(field, ip.error);
    return { cidr: `${s}/${ip.value.family === 4 ? 32 : 128}` };
  }
  return ipBlockFromCidr(s, field, notes);
}

/** The converted pool's skeleton: name, blocks and the source object's labels. */
export function poolObject(name: string, blocks: IPBlock[], doc: Rec): LoadBalancerIPPool {
  const out: LoadBalancerIPPool = {
    apiVersion: API_VERSION,
    kind: 'LoadBalancerIPPool',
    metadata: { name },
    spec: { blocks },
  };
  const labels = metaLabels(doc);
  if (labels) out.metadata.labels = labels;
  return out;
}
