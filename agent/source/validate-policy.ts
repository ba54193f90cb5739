/** PURE. BGPPeeringPolicy validation: timers, ASNs, peers, communities, defaults. */
import {
  API_VERSION,
  type BGPNeighbor,
  type BGPPeeringPolicy,
  type BGPVirtualRouter,
} from '../api/v1alpha1.ts';
import { formatIP, parseCidr, parseIP } from '../net/ip.ts';
import {
  absent,
  at,
  bool,
  DEFAULTS,
  int,
  isMap,
  labelSelector,
  list,
  looseConditions,
  mapping,
  metadata,
  objectName,
  type Problem,
  type Rec,
  show,
  str,
  typeMeta,
  UINT32_MAX,
  type Validation,
} from './validate-fields.ts';

const POLICY_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;
const POLICY_SPEC_KEYS = ['nodeSelector', 'virtualRouters'] as const;
const ROUTER_KEYS = ['localASN', 'serviceSelector', 'neighbors'] as const;
const NEIGHBOR_KEYS = [
  'peerAddress',
  'peerPort',
  'peerASN',
  'eBGPMultihopTTL',
  'connectRetryTimeSeconds',
  'holdTimeSeconds',
  'keepAliveTimeSeconds',
  'gracefulRestart',
  'advertisedPathAttributes',
  'authSecretRef',
] as const;

/** RFC 1997 well-known communities, accepted by name and normalized to high:low. */
export const WELL_KNOWN_COMMUNITIES: Record<string, string> = {
  'graceful-shutdown': '65535:0',
  blackhole: '65535:666',
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'no-export-subconfed': '65535:65283',
  'local-as': '65535:65283',
  'no-peer': '65535:65284',
};

function standardCommunity(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  const named = WELL_KNOWN_COMMUNITIES[s.toLowerCase()];
  if (named) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(s);
  if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) return `${Number(m[1])}:${Number(m[2])}`;
  if (/^\d{1,10}$/.test(s) && Number(s) <= UINT32_MAX)
    return `${Math.floor(Number(s) / 65536)}:${Number(s) % 65536}`;
  out.push({
    path,
    message: `must be a community "a:b" with a and b in 0..65535 (or a well-known name such as no-export), got ${show(s)}`,
  });
  return undefined;
}

function largeCommunity(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(s);
  if (m && [m[1], m[2], m[3]].every((x) => Number(x) <= UINT32_MAX)) {
    return `${Number(m[1])}:${Number(m[2])}:${Number(m[3])}`;
  }
  out.push({
    path,
    message: `must be a large community "a:b:c" with each part in 0..4294967295, got ${show(s)}`,
  });
  return undefined;
}

/** "192.168.2.1" or the host-prefix form "192.168.2.1/32" (Cilium's); returns the canonical address. */
function peerAddress(v: unknown, path: string, out: Problem[]): string | undefined {
  const s = str(v, path, out, { nonEmpty: true });
  if (s === undefined) return undefined;
  if (!s.includes('/')) {
    const ip = parseIP(s);
    if (!ip.ok) return void out.push({ path, message: `must be an IP address, got ${show(s)}` });
    return formatIP(ip.value);
  }
  const c = parseCidr(s);
  if (!c.ok || c.value.prefixLength !== (c.value.family === 4 ? 32 : 128)) {
    out.push({ path, message: `must be an IP address or a host prefix (/32 or /128), got ${show(s)}` });
    return undefined;
  }
  return formatIP({ family: c.value.family, value: c.value.base });
}

function neighbor(v: unknown, path: string, out: Problem[]): BGPNeighbor | undefined {
  const m = mapping(v, path, out, NEIGHBOR_KEYS);
  if (!m) return undefined;
  const before = out.length;
  const n: BGPNeighbor = {
    peerAddress: '',
    peerPort: DEFAULTS.peerPort,
    peerASN: 0,
    connectRetryTimeSeconds: DEFAULTS.connectRetryTimeSeconds,
    holdTimeSeconds: DEFAULTS.holdTimeSeconds,
    keepAliveTimeSeconds: DEFAULTS.keepAliveTimeSeconds,
    gracefulRestart: { enabled: false, restartTimeSeconds: DEFAULTS.restartTimeSeconds },
  };
  const req = (k: string): boolean => {
    if (!absent(m[k])) return false;
    out.push({ path: at(path, k), message: 'is required' });
    return true;
  };
  if (!req('peerAddress')) n.peerAddress = peerAddress(m.peerAddress, at(path, 'peerAddress'), out) ?? '';
  if (!req('peerASN')) n.peerASN = int(m.peerASN, at(path, 'peerASN'), out, 1, UINT32_MAX) ?? 0;
  const opt = (k: keyof BGPNeighbor, min: number, max: number) => {
    if (absent(m[k])) return;
    const x = int(m[k], at(path, k), out, min, max);
    if (x !== undefined) (n as unknown as Rec)[k] = x;
  };
  opt('peerPort', 1, 65535);
  opt('eBGPMultihopTTL', 1, 255);
  opt('connectRetryTimeSeconds', 1, 2147483647);
  opt('keepAliveTimeSeconds', 1, 65535);
  if (!absent(m.holdTimeSeconds)) {
    const h = m.holdTimeSeconds;
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 0 || h > 65535 || h === 1 || h === 2) {
      out.push({
        path: at(path, 'holdTimeSeconds'),
        message: `must be 0 or an integer 3..65535, got ${show(h)}`,
      });
    } else n.holdTimeSeconds = h;
  }
  const hold = n.holdTimeSeconds!;
  const keep = n.keepAliveTimeSeconds!;
  if (out.length === before && hold !== 0 && keep >= hold) {
    out.push({
      path: at(path, 'keepAliveTimeSeconds'),
      message: `must be less than holdTimeSeconds (${hold}), got ${keep}`,
    });
  }
  if (!absent(m.gracefulRestart)) {
    const p = at(path, 'gracefulRestart');
    const g = mapping(m.gracefulRestart, p, out, ['enabled', 'restartTimeSeconds']);
    if (g && !absent(g.enabled)) n.gracefulRestart!.enabled = bool(g.enabled, at(p, 'enabled'), out) ?? false;
    if (g && !absent(g.restartTimeSeconds)) {
      // 12 bits in the Graceful Restart capability (RFC 4724).
      const t = int(g.restartTimeSeconds, at(p, 'restartTimeSeconds'), out, 1, 4095);
      if (t !== undefined) n.gracefulRestart!.restartTimeSeconds = t;
    }
  }
  if (!absent(m.advertisedPathAttributes)) {
    const p = at(path, 'advertisedPathAttributes');
    const a = mapping(m.advertisedPathAttributes, p, out, ['communities', 'localPreference']);
    if (a) {
      const attrs: NonNullable<BGPNeighbor['advertisedPathAttributes']> = {};
      if (!absent(a.localPreference)) {
        attrs.localPreference = int(a.localPreference, at(p, 'localPreference'), out, 0, UINT32_MAX);
      }
      if (!absent(a.communities)) {
        const cp = at(p, 'communities');
        const c = mapping(a.communities, cp, out, ['standard', 'large']);
        if (c) {
          attrs.communities = {};
          for (const [k, parse] of [
            ['standard', standardCommunity],
            ['large', largeCommunity],
          ] as const) {
            if (absent(c[k])) continue;
            const values: string[] = [];
            (list(c[k], at(cp, k), out) ?? []).forEach((x, i) => {
              const s = parse(x, at(at(cp, k), i), out);
              if (s !== undefined && !values.includes(s)) values.push(s);
            });
            attrs.communities[k] = values;
          }
        }
      }
      n.advertisedPathAttributes = attrs;
    }
  }
  if (!absent(m.authSecretRef)) {
    const p = at(path, 'authSecretRef');
    const r = mapping(m.authSecretRef, p, out, ['name', 'namespace', 'key']);
    if (r) {
      const ref: NonNullable<BGPNeighbor['authSecretRef']> = { name: '', key: DEFAULTS.authSecretKey };
      if (absent(r.name)) out.push({ path: at(p, 'name'), message: 'is required' });
      else ref.name = objectName(r.name, at(p, 'name'), out) ?? '';
      if (!absent(r.namespace)) ref.namespace = objectName(r.namespace, at(p, 'namespace'), out);
      if (!absent(r.key)) ref.key = str(r.key, at(p, 'key'), out, { nonEmpty: true });
      n.authSecretRef = ref;
    }
  }
  return out.length === before ? n : undefined;
}

function virtualRouter(v: unknown, path: string, out: Problem[]): BGPVirtualRouter | undefined {
  const m = mapping(v, path, out, ROUTER_KEYS);
  if (!m) return undefined;
  const vr: BGPVirtualRouter = { localASN: 0, neighbors: [] };
  if (absent(m.localASN)) out.push({ path: at(path, 'localASN'), message: 'is required' });
  else vr.localASN = int(m.localASN, at(path, 'localASN'), out, 1, UINT32_MAX) ?? 0;
  if (!absent(m.serviceSelector)) {
    vr.serviceSelector = labelSelector(m.serviceSelector, at(path, 'serviceSelector'), out);
  }
  const np = at(path, 'neighbors');
  if (absent(m.neighbors)) out.push({ path: np, message: 'is required (a list of peers)' });
  else {
    const seen = new Map<string, number>();
    (list(m.neighbors, np, out) ?? []).forEach((item, i) => {
      const n = neighbor(item, at(np, i), out);
      if (!n) return;
      const dup = seen.get(n.peerAddress);
      if (dup !== undefined) {
        out.push({
          path: at(at(np, i), 'peerAddress'),
          message: `duplicates ${at(np, dup)} (${n.peerAddress})`,
        });
      } else seen.set(n.peerAddress, i);
      vr.neighbors.push(n);
    });
  }
  return vr;
}

export function validatePolicy(input: unknown): Validation<BGPPeeringPolicy> {
  const out: Problem[] = [];
  const top = mapping(input, '', out, POLICY_KEYS);
  if (!top) return { ok: false, problems: out };
  typeMeta(top, 'BGPPeeringPolicy', API_VERSION, out);
  const meta = metadata(top.metadata, 'metadata', out, false);
  const policy: BGPPeeringPolicy = {
    apiVersion: API_VERSION,
    kind: 'BGPPeeringPolicy',
    metadata: meta ?? { name: '' },
    spec: { virtualRouters: [] },
  };
  const spec = absent(top.spec)
    ? void out.push({ path: 'spec', message: 'is required' })
    : mapping(top.spec, 'spec', out, POLICY_SPEC_KEYS);
  if (spec) {
    if (!absent(spec.nodeSelector))
      policy.spec.nodeSelector = labelSelector(spec.nodeSelector, 'spec.nodeSelector', out);
    if (absent(spec.virtualRouters)) out.push({ path: 'spec.virtualRouters', message: 'is required' });
    else {
      const items = list(spec.virtualRouters, 'spec.virtualRouters', out) ?? [];
      if (Array.isArray(spec.virtualRouters) && items.length === 0) {
        out.push({ path: 'spec.virtualRouters', message: 'must hold at least one virtual router' });
      }
      items.forEach((item, i) => {
        const vr = virtualRouter(item, `spec.virtualRouters[${i}]`, out);
        if (vr) policy.spec.virtualRouters.push(vr);
      });
    }
  }
  if (isMap(top.status)) {
    const conditions = looseConditions(top.status.conditions);
    policy.status = conditions ? { conditions } : {};
  }
  return out.length ? { ok: false, problems: out } : { ok: true, value: policy };
}
