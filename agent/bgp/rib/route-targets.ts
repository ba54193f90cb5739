/**
 * PURE. The attribute set each desired route goes out with, as an attribute-set key: the family
 * ('ipv4', the peer's attributes only, the common case: no string is built) or
 * 'ipv4#<route attributes key>' for a route with attributes of its own (route-attributes.ts).
 * Keeps the attributes of every key a desired or a sent route uses (a re-send needs them).
 */
import type { PrefixList } from '../../net/prefix-list.ts';
import { type RouteAttributes, routeAttributesKey } from './route-attributes.ts';

const KEY_SEPARATOR = '#';
const FAMILY_LENGTH = 4; // 'ipv4' | 'ipv6'

/** The route attributes key of an attribute-set key ('' for the peer's attributes only). */
export function attributesKeyOf(setKey: string): string {
  return setKey.length === FAMILY_LENGTH ? '' : setKey.slice(FAMILY_LENGTH + 1);
}

export class RouteTargets {
  /** Desired prefix -> its attribute-set key, only for the prefixes with attributes of their own. */
  private targets = new Map<string, string>();
  /** Route attributes key -> the attributes. */
  private attributes = new Map<string, RouteAttributes>();

  /**
   * The routes' own attributes for a new desired table; `changed(prefix)` for each prefix whose
   * attribute set differs from before. `sent`: the Adj-RIB-Out, whose keys stay known.
   * O(attributed + sent while any route has attributes).
   */
  update(
    prefixes: PrefixList,
    attributes: ReadonlyMap<string, RouteAttributes> | undefined,
    sent: ReadonlyMap<string, string>,
    changed: (prefix: string) => void,
  ): void {
    const old = this.targets;
    const targets = new Map<string, string>();
    const byKey = new Map<string, RouteAttributes>();
    const keyOf = new Map<RouteAttributes, string>();
    for (const [prefix, a] of attributes ?? []) {
      const fam = prefixes.family(prefix);
      if (fam === undefined) continue;
      let k = keyOf.get(a);
      if (k === undefined) {
        k = routeAttributesKey(a);
        keyOf.set(a, k);
      }
      if (k === '') continue;
      targets.set(prefix, `${fam === 4 ? 'ipv4' : 'ipv6'}${KEY_SEPARATOR}${k}`);
      if (!byKey.has(k)) byKey.set(k, a);
    }
    for (const [k, t] of targets) if (old.get(k) !== t) changed(k);
    for (const k of old.keys()) if (!targets.has(k)) changed(k);
    // Keys of routes still in the Adj-RIB-Out (a withdrawal needs none, a re-send does).
    if (this.attributes.size)
      for (const v of sent.values()) {
        const k = attributesKeyOf(v);
        if (k === '' || byKey.has(k)) continue;
        const a = this.attributes.get(k);
        if (a) byKey.set(k, a);
      }
    this.targets = targets;
    this.attributes = byKey;
  }

  /** The attribute-set key a desired prefix of family `f` goes out with. */
  target(prefix: string, f: string): string {
    return this.targets.size ? (this.targets.get(prefix) ?? f) : f;
  }

  /** The route's own attributes of an attribute-set key (undefined: the peer's only). */
  own(setKey: string): RouteAttributes | undefined {
    const k = attributesKeyOf(setKey);
    return k === '' ? undefined : this.attributes.get(k);
  }

  /** Whether any desired or sent route uses this attribute-set key. */
  uses(setKey: string): boolean {
    const k = attributesKeyOf(setKey);
    return k === '' || this.attributes.has(k);
  }
}
