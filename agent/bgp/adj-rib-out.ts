/**
 * PURE. One peer's Adj-RIB-Out: the prefixes it should hold (desired), the ones it was told
 * about (sent, value: the family), and the UPDATEs that move it from one to the other.
 * The session decides when to sync; this file decides what to send.
 */
import { PrefixList } from '../net/prefix-list.ts';
import type { SessionConfig } from './peer.ts';
import { apply, diff } from './rib/diff.ts';
import { outboundAttributes } from './rib/outbound.ts';
import { packIPv4Announce, packIPv4Withdraw, packIPv6Announce, packIPv6Withdraw } from './rib/pack.ts';
import { type RouteAttributes, routeAttributesKey } from './rib/route-attributes.ts';
import {
  encodeAttributes,
  encodeEndOfRib,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  type Negotiated,
  parseIPv6,
  parsePrefix,
  toWirePrefix,
  type WirePrefix,
} from './wire/index.ts';

export type Family = 'ipv4' | 'ipv6';

/** What the negotiated session allows: families, next hops, sizes and the attribute policy. */
export interface RibOutContext {
  families: readonly Family[];
  nextHopV4?: string;
  nextHopV6?: Uint8Array;
  as4: boolean;
  extendedMessage: boolean;
  localASN: number;
  peerASN: number;
  communities: readonly string[];
  largeCommunities: readonly string[];
  localPreference?: number;
  med?: number;
  asPathPrepend?: number;
}

export interface RibOutput {
  /** UPDATEs (and, after a full sync, End-of-RIB markers) in sending order. */
  messages: Uint8Array[];
  /** How many of them are UPDATEs carrying routes. */
  updates: number;
}

/** What the session knows to build a RibOutContext. */
export interface RibContextInput {
  config: SessionConfig;
  negotiated: Negotiated | undefined;
  remoteASN: number | undefined;
  /** The connection's local address (the next hop when none is configured). */
  localAddress: string | undefined;
}

/** Next hops, families and attribute policy of the session as negotiated now. */
export function ribContext(
  i: RibContextInput,
  configured: {
    nextHopV4?: string;
    nextHopV6?: string;
    /** The host's own address of a family when neither pinned nor the session's (agent.ts). */
    fallbackNextHop?: (family: 4 | 6, localAddress: string | undefined) => string | undefined;
  },
): RibOutContext {
  const local = i.localAddress?.replace(/^::ffff:/, '');
  const v4 =
    configured.nextHopV4 ??
    (local && !local.includes(':') ? local : undefined) ??
    configured.fallbackNextHop?.(4, local);
  const v6text =
    configured.nextHopV6 ??
    (local?.includes(':') && !local.startsWith('fe80') ? local : undefined) ??
    configured.fallbackNextHop?.(6, local);
  const v6 = v6text ? parseIPv6(v6text) : undefined;
  const c = i.config;
  return {
    families: i.negotiated?.families ?? [],
    ...(v4 ? { nextHopV4: v4 } : {}),
    ...(v6 ? { nextHopV6: v6 } : {}),
    as4: !!i.negotiated?.as4,
    extendedMessage: !!i.negotiated?.extendedMessage,
    localASN: c.localASN,
    peerASN: i.remoteASN ?? c.peerASN ?? c.localASN,
    communities: c.communities,
    largeCommunities: c.largeCommunities,
    ...(c.localPreference !== undefined ? { localPreference: c.localPreference } : {}),
    ...(c.med !== undefined ? { med: c.med } : {}),
    ...(c.asPathPrepend ? { asPathPrepend: c.asPathPrepend } : {}),
  };
}

/**
 * The Adj-RIB-Out keeps, per prefix, its family and the key of its own attributes:
 * "ipv4" for a route with the peer's attributes only (the common case: no string is built),
 * "ipv4#<key>" for one with more; a changed key re-announces the prefix.
 */
const KEY_SEPARATOR = '#';
const FAMILY_LENGTH = 4; // 'ipv4' | 'ipv6'

function familyOf(v: string | undefined): string | undefined {
  return v === undefined || v.length === FAMILY_LENGTH ? v : v.slice(0, FAMILY_LENGTH);
}

export class AdjRibOut {
  /** Prefixes the peer was told about (canonical text -> family). */
  readonly sent = new Map<string, string>();
  /** Desired prefixes of a negotiated family left out at the last sync for want of a next hop. */
  unannounceable: string[] = [];
  private desired: PrefixList = PrefixList.EMPTY;
  /** Prefix -> key of its own attributes (only the prefixes that have some). */
  private routeKeys = new Map<string, string>();
  /** Key -> the attributes, for the prefixes announced with them. */
  private routeAttributes = new Map<string, RouteAttributes>();

  /** `warn(key, message)` reports a family that cannot be announced (once per key is the caller's). */
  constructor(private readonly warn: (key: string, msg: string) => void) {}

  /** `attributes`: the prefixes that carry more than the peer's own attributes. */
  setDesired(prefixes: PrefixList, attributes?: ReadonlyMap<string, RouteAttributes>): void {
    this.desired = prefixes;
    const keys = new Map<string, string>();
    const byKey = new Map<string, RouteAttributes>();
    const keyOf = new Map<RouteAttributes, string>();
    for (const [prefix, a] of attributes ?? []) {
      let k = keyOf.get(a);
      if (k === undefined) {
        k = routeAttributesKey(a);
        keyOf.set(a, k);
      }
      if (k === '') continue;
      keys.set(prefix, k);
      if (!byKey.has(k)) byKey.set(k, a);
    }
    // Keys of routes still in the Adj-RIB-Out (a withdrawal needs none, a resend does).
    for (const [k, a] of this.routeAttributes) if (!byKey.has(k)) byKey.set(k, a);
    this.routeKeys = keys;
    this.routeAttributes = byKey;
  }

  clear(): void {
    this.sent.clear();
    this.unannounceable = [];
    this.forgetUnused();
  }

  /** The difference since the last sync; `initial`: the full table, then End-of-RIB. */
  sync(ctx: RibOutContext, initial: boolean): RibOutput {
    const want = this.sendable(ctx);
    if (initial) this.sent.clear();
    const d = diff(this.sent, want);
    const messages: Uint8Array[] = [];
    for (const f of ['ipv4', 'ipv6'] as const) {
      const w = this.typed(d.withdraw, f, this.sent);
      if (w.length) messages.push(...withdraw(ctx, f, w));
      for (const [key, a] of this.grouped(d.announce, f, want))
        messages.push(...announce(ctx, f, a, this.routeAttributes.get(key)));
    }
    apply(this.sent, d, want);
    this.forgetUnused();
    const updates = messages.length;
    if (initial) for (const f of ctx.families) messages.push(encodeEndOfRib(f));
    return { messages, updates };
  }

  /** RFC 2918 route refresh: everything sent in one family, again. */
  resend(ctx: RibOutContext, f: Family): RibOutput {
    const messages: Uint8Array[] = [];
    for (const [key, list] of this.grouped([...this.sent.keys()], f, this.sent))
      messages.push(...announce(ctx, f, list, this.routeAttributes.get(key)));
    return { messages, updates: messages.length };
  }

  /** The prefixes of a family by attribute key ('' = the peer's own), in their order. */
  private grouped(
    keys: readonly string[],
    f: Family,
    values: ReadonlyMap<string, string>,
  ): Map<string, WirePrefix[]> {
    const groups = new Map<string, WirePrefix[]>();
    if (this.routeAttributes.size === 0) {
      // Every route carries the peer's attributes: one group, no per-prefix work.
      const all = this.typed(keys, f, values);
      if (all.length) groups.set('', all);
      return groups;
    }
    for (const k of keys) {
      const v = values.get(k);
      if (familyOf(v) !== f) continue;
      const key = v!.length === FAMILY_LENGTH ? '' : v!.slice(FAMILY_LENGTH + 1);
      const p = this.typedOne(k);
      if (!p) continue;
      const g = groups.get(key);
      if (g) g.push(p);
      else groups.set(key, [p]);
    }
    return groups;
  }

  /** Drops the attributes no desired or sent route uses any more. */
  private forgetUnused(): void {
    if (this.routeAttributes.size === 0) return;
    const used = new Set<string>(this.routeKeys.values());
    for (const v of this.sent.values()) if (v.length !== FAMILY_LENGTH) used.add(v.slice(FAMILY_LENGTH + 1));
    for (const k of this.routeAttributes.keys()) if (!used.has(k)) this.routeAttributes.delete(k);
  }

  private typedOne(k: string): WirePrefix | undefined {
    const p = this.desired.prefix(k);
    return p ? toWirePrefix(p) : this.parsedSent(k);
  }

  private typed(keys: readonly string[], f: Family, fams: ReadonlyMap<string, string>): WirePrefix[] {
    const out: WirePrefix[] = [];
    for (const k of keys) {
      if (familyOf(fams.get(k)) !== f) continue;
      const p = this.desired.prefix(k);
      if (p) out.push(toWirePrefix(p));
      else {
        const w = this.parsedSent(k);
        if (w) out.push(w);
      }
    }
    return out;
  }

  /** A withdrawn prefix is no longer desired: its typed form comes from its canonical text. */
  private parsedSent(k: string): WirePrefix | undefined {
    return parsePrefix(k);
  }

  /** The prefixes this peer can be sent: negotiated family and a usable next hop. */
  private sendable(ctx: RibOutContext): Map<string, string> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const k of this.desired.keys()) {
      const f: Family = this.desired.family(k) === 4 ? 'ipv4' : 'ipv6';
      if (!ctx.families.includes(f)) continue;
      if (f === 'ipv4' && !ctx.nextHopV4) {
        this.warn('no-v4-nexthop', 'no IPv4 next hop for this session; IPv4 routes not announced');
        missing.push(k);
        continue;
      }
      if (f === 'ipv6' && !ctx.nextHopV6) {
        this.warn(
          'no-v6-nexthop',
          'no global IPv6 next hop (the host has no global IPv6 address, or none inside bgp.nodeAddressCIDRs); IPv6 routes not announced',
        );
        missing.push(k);
        continue;
      }
      const own = this.routeKeys.size ? this.routeKeys.get(k) : undefined;
      out.set(k, own === undefined ? f : `${f}${KEY_SEPARATOR}${own}`);
    }
    this.unannounceable = missing;
    return out;
  }
}

function maxLength(ctx: RibOutContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE;
}

function union(a: readonly string[], b: readonly string[] | undefined): readonly string[] {
  return b?.length ? [...new Set([...a, ...b])] : a;
}

/** The peer's attributes with a route's own on top: communities add, the rest replace. */
function announce(
  ctx: RibOutContext,
  f: Family,
  prefixes: WirePrefix[],
  own?: RouteAttributes,
): Uint8Array[] {
  const localPreference = own?.localPreference ?? ctx.localPreference;
  const med = own?.med ?? ctx.med;
  const asPathPrepend = own?.asPathPrepend ?? ctx.asPathPrepend;
  const attrs = outboundAttributes({
    localASN: ctx.localASN,
    peerASN: ctx.peerASN,
    as4: ctx.as4,
    ...(f === 'ipv4' && ctx.nextHopV4 ? { nextHopV4: ctx.nextHopV4 } : {}),
    communities: union(ctx.communities, own?.communities),
    largeCommunities: union(ctx.largeCommunities, own?.largeCommunities),
    ...(localPreference !== undefined ? { localPreference } : {}),
    ...(med !== undefined ? { med } : {}),
    ...(asPathPrepend ? { asPathPrepend } : {}),
  });
  const block = encodeAttributes(attrs, { as4: ctx.as4 });
  return f === 'ipv4'
    ? packIPv4Announce(block, prefixes, maxLength(ctx))
    : packIPv6Announce(block, ctx.nextHopV6!, prefixes, maxLength(ctx));
}

function withdraw(ctx: RibOutContext, f: Family, prefixes: WirePrefix[]): Uint8Array[] {
  return f === 'ipv4'
    ? packIPv4Withdraw(prefixes, maxLength(ctx))
    : packIPv6Withdraw(prefixes, maxLength(ctx));
}
