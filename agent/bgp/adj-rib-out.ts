/**
 * PURE. One peer's Adj-RIB-Out, driven by its socket: the prefixes it should hold (desired),
 * the ones it was told about (sent: prefix -> attribute-set key, rib/route-targets.ts), and the
 * prefixes whose two states may differ (pending). A change only marks its prefix pending, so a
 * later change replaces an earlier unsent one; take() encodes UPDATEs from the pending prefixes,
 * then from a coalesced ROUTE-REFRESH, only as many bytes as the caller's socket can take now.
 * Whatever the churn or the peer, what waits here is bounded by the desired and sent tables.
 */
import { parsePrefixInto } from '../net/bytes.ts';
import { PrefixList } from '../net/prefix-list.ts';
import { announceNlri, type Family, withdrawNlri } from './rib/encode-groups.ts';
import { NlriRun } from './rib/nlri-run.ts';
import { RefreshQueue } from './rib/refresh-queue.ts';
import type { RouteAttributes } from './rib/route-attributes.ts';
import { RouteTargets } from './rib/route-targets.ts';
import type { RibOutContext } from './rib-context.ts';
import { encodeEndOfRib, MAX_EXTENDED_MESSAGE, MAX_MESSAGE } from './wire/index.ts';

export type { Family } from './rib/encode-groups.ts';
export { type RibContextInput, type RibOutContext, ribContext } from './rib-context.ts';

export interface RibOutput {
  /** UPDATEs (and, after a full sync, End-of-RIB markers) in sending order. */
  messages: Uint8Array[];
  /** How many of them are UPDATEs carrying routes. */
  updates: number;
  /** A queued ROUTE-REFRESH waits for its pacing interval: ask again at this time. */
  wakeAt?: number;
}

/**
 * Room for prefixes in one UPDATE, under-estimated: the header, both length fields and up to this
 * many attribute (and MP_REACH) bytes come off the maximum message size. A round takes whole
 * messages' worth of prefixes so the packer fills them (few, full UPDATEs).
 */
const ATTRIBUTE_ALLOWANCE = 160;

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
/** Scratch for a prefix no longer in the desired table (a withdrawal): parsed from its text. */
const scratch = new Uint8Array(16);

export class AdjRibOut {
  /** Prefixes the peer was told about (canonical text -> attribute-set key). */
  readonly sent = new Map<string, string>();
  /** Desired prefixes of a negotiated family left out for want of a next hop (set by prepare). */
  unannounceable: string[] = [];
  private desired: PrefixList = PrefixList.EMPTY;
  /** The attribute set each desired route goes out with. */
  private readonly routeTargets = new RouteTargets();
  /** Prefixes whose sent state may differ from the desired one; insertion order is sending order. */
  private readonly pending = new Set<string>();
  /**
   * One live walk over `pending`, kept between rounds: a fresh for-of would step again over every
   * entry deleted before it (a set keeps their slots until it rehashes), quadratic in a big change.
   */
  private pendingWalk: Iterator<string> | undefined;
  /** After (re)establishment: the walk over the whole desired table (no set of 100k keys). */
  private initialWalk: Iterator<string> | undefined;
  private initialLeft = 0;
  /** Round buffers by group: `-ipv4` withdrawals, `+<attribute-set key>` announcements. */
  private readonly runs = new Map<string, NlriRun>();
  /** End-of-RIB markers owed once the pending set is empty after (re)establishment. */
  private eorOwed: readonly Family[] = [];
  private readonly refresh = new RefreshQueue();
  /** The walk over `sent` of the active re-send (a live Map iterator). */
  private refreshWalk: Iterator<[string, string]> | undefined;

  /** `warn(key, message)` reports a family that cannot be announced (once per key is the caller's). */
  constructor(private readonly warn: (key: string, msg: string) => void) {}

  /**
   * The new desired table (`attributes`: the prefixes that carry more than the peer's own); every
   * prefix that entered or left it, or whose attributes changed, becomes pending. O(old + new).
   */
  setDesired(prefixes: PrefixList, attributes?: ReadonlyMap<string, RouteAttributes>): void {
    const old = this.desired;
    this.desired = prefixes;
    for (const k of prefixes.keys()) if (!old.has(k)) this.pending.add(k);
    for (const k of old.keys()) if (!prefixes.has(k)) this.pending.add(k);
    this.routeTargets.update(prefixes, attributes, this.sent, (k) => this.pending.add(k));
    // Round buffers of attribute sets no route uses any more.
    for (const group of this.runs.keys())
      if (!this.routeTargets.uses(group.slice(1))) this.runs.delete(group);
  }

  /** The session went down: the peer holds nothing of ours, nothing is owed. */
  clear(): void {
    this.sent.clear();
    this.pending.clear();
    this.pendingWalk = undefined;
    this.initialWalk = undefined;
    this.initialLeft = 0;
    this.eorOwed = [];
    this.refresh.clear();
    this.refreshWalk = undefined;
    this.unannounceable = [];
  }

  /** (Re)establishment: the whole desired table is pending, then End-of-RIB per family. */
  restart(ctx: RibOutContext): void {
    this.clear();
    this.initialWalk = this.desired.keys();
    this.initialLeft = this.desired.size;
    this.eorOwed = [...ctx.families];
    this.prepare(ctx);
  }

  /**
   * Lists the desired prefixes that cannot be sent for want of a next hop, and warns (once per
   * key); O(desired) only while a negotiated family lacks its next hop.
   */
  prepare(ctx: RibOutContext): void {
    const v4 = ctx.families.includes('ipv4') && !ctx.nextHopV4;
    const v6 = ctx.families.includes('ipv6') && !ctx.nextHopV6;
    const missing: string[] = [];
    if (v4 || v6)
      for (const k of this.desired.keys()) {
        const f = this.desired.family(k) === 4 ? 'ipv4' : 'ipv6';
        if (f === 'ipv4' ? v4 : v6) missing.push(k);
      }
    if (missing.some((k) => this.desired.family(k) === 4))
      this.warn('no-v4-nexthop', 'no IPv4 next hop for this session; IPv4 routes not announced');
    if (missing.some((k) => this.desired.family(k) === 6))
      this.warn(
        'no-v6-nexthop',
        'no global IPv6 next hop (the host has no global IPv6 address, or none inside bgp.nodeAddressCIDRs); IPv6 routes not announced',
      );
    // A next hop that came or went since: those prefixes move (announce or withdraw) too.
    const now = new Set(missing);
    for (const k of this.unannounceable) if (!now.has(k)) this.pending.add(k);
    for (const k of missing) if (this.sent.has(k)) this.pending.add(k);
    this.unannounceable = missing;
  }

  /** A ROUTE-REFRESH for a family: true when it queued a re-send, false when coalesced. */
  requestRefresh(f: Family): boolean {
    return this.refresh.request(f);
  }

  /** Requests absorbed by a re-send already queued. */
  get refreshesCoalesced(): number {
    return this.refresh.coalesced;
  }

  /** Prefixes waiting to be sent (changes not yet encoded). */
  get pendingCount(): number {
    return this.pending.size + this.initialLeft;
  }

  /**
   * Encodes at most about `budget` bytes (at least one round): pending changes first (withdrawals
   * before announcements, per family), End-of-RIB once they are all out after (re)establishment,
   * then the active or next due ROUTE-REFRESH re-send. An empty result means nothing is due now.
   */
  take(ctx: RibOutContext, budget: number, now: number): RibOutput {
    const out: RibOutput = { messages: [], updates: 0 };
    let bytes = 0;
    const perMessage = (ctx.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE) - ATTRIBUTE_ALLOWANCE;
    /** NLRI bytes for this round: whole messages, at least one, about what the budget has left. */
    const room = () => perMessage * Math.max(1, Math.ceil(Math.min(budget - bytes, 1 << 30) / perMessage));
    while (bytes < budget) {
      if (this.pending.size || this.initialWalk) {
        bytes += this.takePending(ctx, room(), out);
        continue;
      }
      if (this.eorOwed.length) {
        for (const f of this.eorOwed) out.messages.push(encodeEndOfRib(f));
        this.eorOwed = [];
      }
      if (!this.refreshWalk) {
        const next = this.refresh.start(now);
        if (!next) break;
        if ('wakeAt' in next) {
          out.wakeAt = next.wakeAt;
          break;
        }
        this.refreshWalk = this.sent.entries();
      }
      bytes += this.takeRefresh(ctx, room(), out);
    }
    return out;
  }

  /** Everything due now (tests, and callers without a socket); `initial`: restart() first. */
  sync(ctx: RibOutContext, initial: boolean): RibOutput {
    if (initial) this.restart(ctx);
    else this.prepare(ctx);
    const out = this.take(ctx, Number.POSITIVE_INFINITY, 0);
    return { messages: out.messages, updates: out.updates };
  }

  /** RFC 2918 route refresh at once: everything sent in one family, again (tests; the session queues). */
  resend(ctx: RibOutContext, f: Family): RibOutput {
    this.resetRuns();
    for (const [k, v] of this.sent) if (familyOf(v) === f) this.put(`+${v}`, k);
    const out: RibOutput = { messages: [], updates: 0 };
    this.emitRuns(ctx, out);
    return out;
  }

  /** The next prefix whose state may differ: a pending change, else the initial walk. */
  private nextChanged(): string | undefined {
    while (this.pending.size) {
      this.pendingWalk ??= this.pending.values();
      const r = this.pendingWalk.next();
      if (r.done) {
        this.pendingWalk = undefined;
        continue;
      }
      this.pending.delete(r.value);
      return r.value;
    }
    if (this.initialWalk) {
      const r = this.initialWalk.next();
      if (!r.done) {
        this.initialLeft--;
        return r.value;
      }
      this.initialWalk = undefined;
      this.initialLeft = 0;
    }
    return undefined;
  }

  /** One round of changed prefixes: each moves to its desired state; returns the bytes encoded. */
  private takePending(ctx: RibOutContext, room: number, out: RibOutput): number {
    this.resetRuns();
    let n = 0;
    while (n < room) {
      const k = this.nextChanged();
      if (k === undefined) break;
      const want = this.target(k, ctx);
      const had = this.sent.get(k);
      if (want === had) continue;
      if (want === undefined) {
        n += this.put(`-${familyOf(had!)}`, k);
        this.sent.delete(k);
      } else {
        n += this.put(`+${want}`, k);
        this.sent.set(k, want);
      }
    }
    return this.emitRuns(ctx, out);
  }

  /** One round of the active re-send; prefixes with a change pending are left to that change. */
  private takeRefresh(ctx: RibOutContext, room: number, out: RibOutput): number {
    const f = this.refresh.active!;
    this.resetRuns();
    let n = 0;
    while (n < room) {
      const r = this.refreshWalk!.next();
      if (r.done) {
        this.refreshWalk = undefined;
        this.refresh.finish();
        break;
      }
      const [k, v] = r.value;
      if (familyOf(v) !== f || this.pending.has(k)) continue;
      n += this.put(`+${v}`, k);
    }
    return this.emitRuns(ctx, out);
  }

  private resetRuns(): void {
    for (const r of this.runs.values()) r.used = 0;
  }

  /** Appends a key's NLRI to a group's run: from the desired columns, or parsed from its text. */
  private put(group: string, k: string): number {
    let run = this.runs.get(group);
    if (!run) {
      run = new NlriRun();
      this.runs.set(group, run);
    }
    const buf = run.room();
    let n = this.desired.writeNlri(k, buf, run.used);
    if (!n) {
      const r = parsePrefixInto(k, scratch, 0);
      if (r < 0) return 0;
      const length = r & 255;
      const bytes = (length + 7) >> 3;
      buf[run.used] = length;
      buf.set(scratch.subarray(0, bytes), run.used + 1);
      n = 1 + bytes;
    }
    run.used += n;
    return n;
  }

  /** UPDATEs of this round's runs: per family, withdrawals first, then announcements. */
  private emitRuns(ctx: RibOutContext, out: RibOutput): number {
    let bytes = 0;
    for (const f of FAMILIES)
      for (const withdrawals of [true, false])
        for (const [group, run] of this.runs) {
          if (!run.used || familyOf(group.slice(1)) !== f || (group[0] === '-') !== withdrawals) continue;
          const ms = withdrawals
            ? withdrawNlri(ctx, f, run.buf, run.used)
            : announceNlri(ctx, f, run.buf, run.used, this.routeTargets.own(group.slice(1)));
          bytes += emit(out, ms);
          run.used = 0;
        }
    return bytes;
  }

  /** The attribute-set key a prefix should be sent with, or undefined: not desired or not sendable. */
  private target(k: string, ctx: RibOutContext): string | undefined {
    const fam = this.desired.family(k);
    if (fam === undefined) return undefined;
    const f: Family = fam === 4 ? 'ipv4' : 'ipv6';
    if (!ctx.families.includes(f)) return undefined;
    if (f === 'ipv4' ? !ctx.nextHopV4 : !ctx.nextHopV6) return undefined;
    return this.routeTargets.target(k, f);
  }
}

/** The family of an attribute-set key ('ipv4', or 'ipv4#...' once routes carry their own attributes). */
function familyOf(key: string): Family {
  return key.startsWith('ipv6') ? 'ipv6' : 'ipv4';
}

function emit(out: RibOutput, messages: Uint8Array[]): number {
  let bytes = 0;
  for (const m of messages) {
    out.messages.push(m);
    bytes += m.length;
  }
  out.updates += messages.length;
  return bytes;
}
