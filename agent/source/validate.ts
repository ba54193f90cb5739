/**
 * PURE. Validates parsed YAML/JSON into edgelb's own kinds (LoadBalancerIPPool here,
 * BGPPeeringPolicy in validate-policy.ts) and the core objects edgelb reads
 * (validate-core.ts), reporting every problem at once with its field path and what was
 * expected, and applying the documented defaults. Both sources use these: files mode for
 * manifests on disk, the kubernetes source for objects read from the API server.
 * This module is the entry point: it re-exports the other validators.
 */
import { API_VERSION, type IPBlock, type LoadBalancerIPPool } from '../api/v1alpha1.ts';
import {
  cidrRange,
  formatCidr,
  formatIP,
  type IPRange,
  parseCidr,
  parseIP,
  rangesOverlap,
} from '../net/ip.ts';
import {
  absent,
  at,
  bool,
  isMap,
  labelSelector,
  list,
  looseConditions,
  mapping,
  metadata,
  type Problem,
  str,
  typeMeta,
  type Validation,
} from './validate-fields.ts';

export {
  type CoreOptions,
  type SecretData,
  validateEndpointSlice,
  validateNode,
  validateSecret,
  validateService,
} from './validate-core.ts';
export { DEFAULTS, formatProblem, type Problem, UINT32_MAX, type Validation } from './validate-fields.ts';
export { validatePolicy, WELL_KNOWN_COMMUNITIES } from './validate-policy.ts';

const POOL_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;
const POOL_SPEC_KEYS = ['blocks', 'disabled', 'serviceSelector', 'allowFirstLastIPs', 'autoAssign'] as const;

function block(v: unknown, path: string, out: Problem[]): { block: IPBlock; range: IPRange } | undefined {
  const m = mapping(v, path, out, ['cidr', 'start', 'stop']);
  if (!m) return undefined;
  const hasCidr = !absent(m.cidr);
  const hasRange = !absent(m.start) || !absent(m.stop);
  if (hasCidr && hasRange) {
    out.push({ path, message: 'must have either cidr or start/stop, not both' });
    return undefined;
  }
  if (hasCidr) {
    const s = str(m.cidr, at(path, 'cidr'), out, { nonEmpty: true });
    if (s === undefined) return undefined;
    const c = parseCidr(s, { strict: true });
    if (!c.ok) return void out.push({ path: at(path, 'cidr'), message: c.error });
    return { block: { cidr: formatCidr(c.value) }, range: cidrRange(c.value) };
  }
  if (!hasRange) {
    out.push({ path, message: 'must have a cidr, or a start and a stop address' });
    return undefined;
  }
  const ends: { family: 4 | 6; value: bigint; text: string }[] = [];
  for (const k of ['start', 'stop'] as const) {
    if (absent(m[k])) {
      out.push({ path: at(path, k), message: `is required with ${k === 'start' ? 'stop' : 'start'}` });
      continue;
    }
    const s = str(m[k], at(path, k), out, { nonEmpty: true });
    if (s === undefined) continue;
    const ip = parseIP(s);
    if (!ip.ok) out.push({ path: at(path, k), message: ip.error });
    else ends.push({ ...ip.value, text: formatIP(ip.value) });
  }
  if (ends.length !== 2) return undefined;
  const [start, stop] = ends as [(typeof ends)[0], (typeof ends)[0]];
  if (start.family !== stop.family) {
    out.push({ path, message: `start ${start.text} and stop ${stop.text} must be of the same IP family` });
    return undefined;
  }
  if (start.value > stop.value) {
    out.push({ path, message: `start ${start.text} must not be after stop ${stop.text}` });
    return undefined;
  }
  return {
    block: { start: start.text, stop: stop.text },
    range: { family: start.family, first: start.value, last: stop.value },
  };
}

export function validatePool(input: unknown): Validation<LoadBalancerIPPool> {
  const out: Problem[] = [];
  const top = mapping(input, '', out, POOL_KEYS);
  if (!top) return { ok: false, problems: out };
  typeMeta(top, 'LoadBalancerIPPool', API_VERSION, out);
  const meta = metadata(top.metadata, 'metadata', out, false);
  const spec = absent(top.spec)
    ? void out.push({ path: 'spec', message: 'is required' })
    : mapping(top.spec, 'spec', out, POOL_SPEC_KEYS);
  const pool: LoadBalancerIPPool = {
    apiVersion: API_VERSION,
    kind: 'LoadBalancerIPPool',
    metadata: meta ?? { name: '' },
    spec: { blocks: [], disabled: false, allowFirstLastIPs: false, autoAssign: true },
  };
  if (spec) {
    if (absent(spec.blocks)) out.push({ path: 'spec.blocks', message: 'is required (at least one block)' });
    else {
      const items = list(spec.blocks, 'spec.blocks', out) ?? [];
      if (Array.isArray(spec.blocks) && items.length === 0) {
        out.push({ path: 'spec.blocks', message: 'must hold at least one block' });
      }
      const seen: { range: IPRange; index: number }[] = [];
      items.forEach((item, i) => {
        const b = block(item, `spec.blocks[${i}]`, out);
        if (!b) return;
        const other = seen.find((s) => rangesOverlap(s.range, b.range));
        if (other) out.push({ path: `spec.blocks[${i}]`, message: `overlaps spec.blocks[${other.index}]` });
        seen.push({ range: b.range, index: i });
        pool.spec.blocks.push(b.block);
      });
    }
    for (const k of ['disabled', 'allowFirstLastIPs', 'autoAssign'] as const) {
      if (absent(spec[k])) continue;
      const b = bool(spec[k], `spec.${k}`, out);
      if (b !== undefined) pool.spec[k] = b;
    }
    if (!absent(spec.serviceSelector)) {
      pool.spec.serviceSelector = labelSelector(spec.serviceSelector, 'spec.serviceSelector', out);
    }
  }
  if (isMap(top.status)) {
    const s = top.status;
    pool.status = {};
    const conditions = looseConditions(s.conditions);
    if (conditions) pool.status.conditions = conditions;
    for (const k of ['ipsTotal', 'ipsUsed', 'ipsAvailable'] as const) {
      if (typeof s[k] === 'string') pool.status[k] = s[k];
    }
  }
  return out.length ? { ok: false, problems: out } : { ok: true, value: pool };
}
