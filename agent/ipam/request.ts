/**
 * PURE. What a Service asks of the IPAM, read from its spec and annotations.
 *
 * Annotation precedence (copied into the README):
 *
 * - Requested IPs: `edgelb.io/ips` > `lbipam.cilium.io/ips` > `io.cilium/lb-ipam-ips` >
 *   `metallb.io/loadBalancerIPs` > `metallb.universe.tf/loadBalancerIPs` > `spec.loadBalancerIP`.
 *   Each is a comma-separated list (spaces and empty items ignored); an empty value counts as
 *   absent. Every source that is set is read: when two give different sets of addresses
 *   (compared after canonicalisation, order ignored) the request is a contradiction and the
 *   Service gets `invalid-request` naming both. Equal values in several places are fine, which is
 *   what a migration from MetalLB or Cilium produces.
 *   At most one address per family. SingleStack takes one address (of ipFamilies[0] when set),
 *   PreferDualStack one or two, RequireDualStack exactly one IPv4 and one IPv6.
 * - Pool: `edgelb.io/pool` > `metallb.io/address-pool` > `metallb.universe.tf/address-pool`,
 *   same contradiction rule. The named pool's serviceSelector must still match the Service.
 * - Sharing key: `edgelb.io/sharing-key` > `lbipam.cilium.io/sharing-key` >
 *   `io.cilium/lb-ipam-sharing-key` > `metallb.io/allow-shared-ip` >
 *   `metallb.universe.tf/allow-shared-ip`, same contradiction rule.
 * - Cross-namespace sharing: `edgelb.io/sharing-cross-namespace` >
 *   `lbipam.cilium.io/sharing-cross-namespace`: comma-separated namespaces or `*`, same rule.
 *
 * Families without requested IPs: SingleStack wants ipFamilies[0] (IPv4 when unset);
 * PreferDualStack and RequireDualStack want both, ipFamilies[0] first.
 */
import {
  IPS_ANNOTATIONS,
  POOL_ANNOTATIONS,
  SHARING_CROSS_NAMESPACE_ANNOTATIONS,
  SHARING_KEY_ANNOTATIONS,
} from '../api/v1alpha1.ts';
import type { Family, IP } from '../net/ip.ts';
import { formatAddr, parseAddr } from './addr.ts';
import { serviceLabels } from './selector.ts';
import type { IPFamilyName, IPFamilyPolicy, ServiceView } from './types.ts';

export interface Request {
  /** Requested addresses, one per family at most, in the Service's family order. */
  ips: IP[];
  ipTexts: string[];
  /** Where the requested IPs came from (annotation name or spec.loadBalancerIP). */
  ipsSource?: string;
  pool?: string;
  sharingKey?: string;
  /** Namespaces allowed to share with this Service ('*' = any). */
  crossNamespace: Set<string>;
  /** Families wanted, in order. */
  families: Family[];
  policy: IPFamilyPolicy;
  /** "port/PROTOCOL" pairs (built on first use: only sharing needs them). */
  readonly ports: Set<string>;
  /** Labels a pool selector sees, with the pseudo-labels (built on first use). */
  readonly labels: Record<string, string>;
}

/**
 * A Request whose ports and labels are built when first read: with 100,000 Services and no
 * sharing or selectors, they were a Set, an object and two strings per Service for nothing.
 * It is also its own `{ok: true, request}` (two getters on the prototype, not an object per
 * Service). Optional fields are declared, not initialised, so absent ones take no slot.
 */
class LazyRequest implements Request {
  declare ipsSource?: string;
  declare pool?: string;
  declare sharingKey?: string;
  declare private portSet?: Set<string>;
  declare private labelMap?: Record<string, string>;

  constructor(
    private readonly view: ServiceView,
    public ips: IP[],
    public ipTexts: string[],
    public crossNamespace: Set<string>,
    public families: Family[],
    public policy: IPFamilyPolicy,
  ) {}

  get ok(): true {
    return true;
  }

  get request(): Request {
    return this;
  }

  get ports(): Set<string> {
    if (!this.portSet) {
      this.portSet = new Set();
      for (const p of this.view.ports) this.portSet.add(`${p.port}/${(p.protocol || 'TCP').toUpperCase()}`);
    }
    return this.portSet;
  }

  get labels(): Record<string, string> {
    this.labelMap ??= serviceLabels(this.view.namespace, this.view.name, this.view.labels);
    return this.labelMap;
  }
}

// Shared, never mutated: most Services ask for the same few family lists and no addresses.
const FAMILIES: Record<string, Family[]> = { 4: [4], 6: [6], 46: [4, 6], 64: [6, 4] };
const NO_IPS: IP[] = [];
const NO_TEXTS: string[] = [];

export type ParsedRequest = { ok: true; request: Request } | { ok: false; message: string };

const famOf = (f: IPFamilyName): Family => (f === 'IPv6' ? 6 : 4);
const famName = (f: Family): IPFamilyName => (f === 6 ? 'IPv6' : 'IPv4');

function listOf(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

type Pick<T> = { ok: true; value?: T; source?: string } | { ok: false; message: string };

/**
 * Reads every source in order; the first set one wins, and any later one with a different
 * value (as compared by `same`) is a contradiction.
 */
function pick<T>(
  sources: [string, string | undefined][],
  read: (v: string, source: string) => { ok: true; value: T } | { ok: false; message: string },
  same: (a: T, b: T) => boolean,
): Pick<T> {
  let chosen: { value: T; source: string } | undefined;
  for (const [source, raw] of sources) {
    if (raw === undefined || raw.trim() === '') continue;
    const r = read(raw, source);
    if (!r.ok) return r;
    if (!chosen) chosen = { value: r.value, source };
    else if (!same(chosen.value, r.value))
      return {
        ok: false,
        message: `${chosen.source} (${JSON.stringify(sourceValue(sources, chosen.source))}) and ${source} (${JSON.stringify(raw)}) disagree; set only one of them`,
      };
  }
  return chosen ? { ok: true, value: chosen.value, source: chosen.source } : { ok: true };
}

function sourceValue(sources: [string, string | undefined][], name: string): string {
  return sources.find(([s]) => s === name)?.[1] ?? '';
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

function readIPs(raw: string, source: string) {
  const out: string[] = [];
  for (const item of listOf(raw)) {
    const ip = parseAddr(item);
    if (!ip) return { ok: false as const, message: `${source}: "${item}" is not an IP address` };
    const text = formatAddr(ip);
    if (!out.includes(text)) out.push(text);
  }
  return { ok: true as const, value: out };
}

const EMPTY = new Set<string>();

/** [name, value] for each of `names` that is set (absent ones cost nothing). */
function present(a: Record<string, string>, names: readonly string[]): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const n of names) if (a[n] !== undefined) out.push([n, a[n]]);
  return out;
}

const text = (raw: string) => ({ ok: true as const, value: raw.trim() });
const eq = (x: string, y: string) => x === y;
const readList = (raw: string) => ({ ok: true as const, value: listOf(raw) });

function hasAny(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
}

const NOT_SET = { ok: true } as const;

export function parseRequest(s: ServiceView): ParsedRequest {
  const a = s.annotations;
  if (!hasAny(a) && !s.loadBalancerIP) return build(s, NOT_SET, NOT_SET, NOT_SET, NOT_SET);
  const ipSources = present(a, IPS_ANNOTATIONS);
  if (s.loadBalancerIP) ipSources.push(['spec.loadBalancerIP', s.loadBalancerIP]);
  const ipsPick = ipSources.length > 0 ? pick(ipSources, readIPs, sameSet) : ({ ok: true } as Pick<string[]>);
  if (!ipsPick.ok) return ipsPick;
  const pool = pick(present(a, POOL_ANNOTATIONS), text, eq);
  if (!pool.ok) return pool;
  const key = pick(present(a, SHARING_KEY_ANNOTATIONS), text, eq);
  if (!key.ok) return key;
  const cross = pick(present(a, SHARING_CROSS_NAMESPACE_ANNOTATIONS), readList, sameSet);
  if (!cross.ok) return cross;
  return build(s, ipsPick, pool, key, cross);
}

function build(
  s: ServiceView,
  ipsPick: Pick<string[]> & { ok: true },
  pool: Pick<string> & { ok: true },
  key: Pick<string> & { ok: true },
  cross: Pick<string[]> & { ok: true },
): ParsedRequest {
  const primary: Family = s.ipFamilies[0] ? famOf(s.ipFamilies[0]) : 4;
  const policy = s.ipFamilyPolicy;
  const dual = policy !== 'SingleStack';
  const texts = ipsPick.value ?? NO_TEXTS;
  const ips = texts.length > 0 ? texts.map((t) => parseAddr(t) as IP) : NO_IPS;
  let families: Family[];
  if (ips.length > 0) {
    const where = ipsPick.source;
    const fams = ips.map((ip) => ip.family);
    if (fams.length > 2 || (fams.length === 2 && fams[0] === fams[1]))
      return {
        ok: false,
        message: `${where} lists ${texts.join(', ')}: at most one IPv4 and one IPv6 address`,
      };
    if (!dual && ips.length > 1)
      return {
        ok: false,
        message: `${where} lists two addresses but the Service is SingleStack`,
      };
    if (!dual && s.ipFamilies[0] && fams[0] !== primary)
      return {
        ok: false,
        message: `${where} asks for ${texts[0]} but the Service is ${famName(primary)} SingleStack`,
      };
    if (policy === 'RequireDualStack' && ips.length !== 2)
      return {
        ok: false,
        message: `${where} must list one IPv4 and one IPv6 address for a RequireDualStack Service`,
      };
    families = fams.includes(primary) ? [primary, ...fams.filter((f) => f !== primary)] : fams;
    const order = (ip: IP) => families.indexOf(ip.family);
    ips.sort((x, y) => order(x) - order(y));
    texts.splice(0, texts.length, ...ips.map(formatAddr));
  } else {
    families = FAMILIES[dual ? (primary === 4 ? 46 : 64) : primary] as Family[];
  }

  const request = new LazyRequest(
    s,
    ips,
    texts,
    cross.value ? new Set(cross.value) : EMPTY,
    families,
    policy,
  );
  if (ipsPick.source !== undefined) request.ipsSource = ipsPick.source;
  if (pool.value !== undefined) request.pool = pool.value;
  if (key.value !== undefined) request.sharingKey = key.value;
  return request;
}
