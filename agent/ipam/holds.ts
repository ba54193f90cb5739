/**
 * PURE. Addresses held for deleted Services: when the last holder of an address is deleted and
 * its pool has a releaseDelaySeconds, the address stays out of the free ranges, reserved for
 * that namespace/name, until the hold expires. Re-creating the Service gives it back; another
 * Service that asks for it explicitly waits ('ip-held'); automatic allocation takes one only
 * when the pools it may use are otherwise full, the oldest hold first.
 *
 * The holding stays in the HoldingIndex (so lowestFree skips it) with no holders and `hold`
 * set; this book indexes the held ones by Service key and finds the due and the oldest.
 */
import type { Family } from '../net/ip.ts';
import type { Holding } from './holdings.ts';
import type { HoldRecord } from './types.ts';

export interface Hold {
  /** "namespace/name". */
  key: string;
  namespace: string;
  name: string;
  /** Epoch milliseconds: when the Service was deleted. */
  since: number;
  /** Epoch milliseconds: when the address goes back to the pool. */
  expires: number;
}

/** RFC 3339 with whole seconds, as Kubernetes writes times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch milliseconds of an RFC 3339 time; NaN when unreadable. */
export function parseTime(text: string): number {
  return Date.parse(text);
}

/** The earlier-deleted (then earlier-expiring, then lower address) hold first. */
function older(a: Holding, b: Holding): boolean {
  const x = a.hold as Hold;
  const y = b.hold as Hold;
  if (x.since !== y.since) return x.since < y.since;
  if (x.expires !== y.expires) return x.expires < y.expires;
  return a.value < b.value;
}

export class HoldBook {
  private readonly all = new Set<Holding>();
  private readonly byKey = new Map<string, Holding[]>();

  get size(): number {
    return this.all.size;
  }

  clear(): void {
    this.all.clear();
    this.byKey.clear();
  }

  /** Marks `h` (no holders left) as held. */
  add(h: Holding, hold: Hold): void {
    h.hold = hold;
    this.all.add(h);
    const list = this.byKey.get(hold.key);
    if (list) list.push(h);
    else this.byKey.set(hold.key, [h]);
  }

  /** The address is no longer held (given back to its Service, taken, or expired). */
  remove(h: Holding): void {
    const hold = h.hold;
    if (!hold) return;
    h.hold = undefined;
    this.all.delete(h);
    const list = this.byKey.get(hold.key);
    if (!list) return;
    list.splice(list.indexOf(h), 1);
    if (list.length === 0) this.byKey.delete(hold.key);
  }

  /** The addresses held for Service `key`. */
  forKey(key: string): readonly Holding[] | undefined {
    return this.byKey.get(key);
  }

  /** Holds whose expiry is at or before `now`. */
  due(now: number): Holding[] {
    const out: Holding[] = [];
    for (const h of this.all) if ((h.hold as Hold).expires <= now) out.push(h);
    return out;
  }

  /** The earliest expiry, epoch milliseconds; undefined without holds. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const h of this.all) {
      const e = (h.hold as Hold).expires;
      if (next === undefined || e < next) next = e;
    }
    return next;
  }

  /** The oldest hold of family `fam` in one of `pools`. */
  oldest(pools: ReadonlySet<string>, fam: Family): Holding | undefined {
    let best: Holding | undefined;
    for (const h of this.all)
      if (h.family === fam && pools.has(h.pool) && (!best || older(h, best))) best = h;
    return best;
  }

  /** Every hold of `pool` (every pool when absent), oldest first, as status lists them. */
  records(pool?: string): HoldRecord[] {
    const list = [...this.all].filter((h) => pool === undefined || h.pool === pool);
    list.sort((a, b) => (older(a, b) ? -1 : older(b, a) ? 1 : 0));
    return list.map((h) => {
      const hold = h.hold as Hold;
      return {
        namespace: hold.namespace,
        name: hold.name,
        ip: h.text,
        pool: h.pool,
        expires: rfc3339(hold.expires),
        since: rfc3339(hold.since),
      };
    });
  }
}
