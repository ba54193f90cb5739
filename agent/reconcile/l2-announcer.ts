/**
 * SHELL. L2 mode on every node, driven by the reconcile loop: each pass plans which IPs the
 * L2AnnouncementPolicies select and who may answer them (plan/l2.ts), hands the candidates to
 * the ownership (kubernetes: heartbeat Leases, files: this node owns what its policies select),
 * and answers the IPs the ownership gives this node on the interfaces the policies choose
 * (l2-interfaces.ts) through the Responder. The ports it drives are in l2-ports.ts; files mode's
 * ownership is static-ownership.ts.
 *
 * - The ownership runs only while at least one valid L2AnnouncementPolicy exists; when the last
 *   one goes, the Responder stops answering first, then the ownership releases its Lease.
 * - An owned IP that has no interface here (on no local subnet, no interface matches the
 *   policy's patterns, the socket cannot be opened) is a problem reported by name in /status; it
 *   does not fail /readyz (another IP may be fine, and nobody else can fix it by restarting).
 * - Interfaces are read at most every LINK_RESCAN_MS, and again on that period while something
 *   is owned, so a link that comes up (or an address added) later is used without waiting for a
 *   Kubernetes event, and a takeover reads no sysfs.
 * - Stop order (SIGTERM): the Responder stops answering, then the ownership releases the Lease
 *   so the next owners start at once.
 */
import type { ServiceObject } from '../api/core.ts';
import type { L2Doc } from '../http/status-doc.ts';
import type { LinkFacts } from '../l2/interface-choice.ts';
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter, Registry } from '../lib/metrics.ts';
import type { ObservedState, StatusWriter } from '../source/types.ts';
import { defaultCollect } from './collector.ts';
import { interfacesForOwned, PatternCache } from './l2-interfaces.ts';
import type { OwnershipPort, ResponderPort } from './l2-ports.ts';
import { type L2Plan, ownedStatically, planL2 } from './plan/l2.ts';
import type { ValidObjects } from './plan/valid-objects.ts';

// Where they lived before; importers (agent.ts, tests) keep these paths.
export type { OwnershipPort, ResponderPort } from './l2-ports.ts';
export { StaticOwnership } from './static-ownership.ts';

/** The same order as String#localeCompare with the default locale (the Responder's snapshot order). */
const collator = new Intl.Collator();

/** How often the interfaces are read again while IPs are owned (MetalLB rescans every 10 s). */
export const LINK_RESCAN_MS = 10_000;
/**
 * A takeover or loss of at least this many IPs is followed by one full garbage collection,
 * L2_COLLECT_DELAY_MS later (once its announcement burst is over): it happens outside the
 * reconcile loop, whose own collection has run by then, and would otherwise leave its garbage
 * (about 50 MiB at 10,000 IPs) mapped until the heap next grows.
 */
export const L2_COLLECT_AFTER = 1000;
export const L2_COLLECT_DELAY_MS = 2000;

export interface L2Options {
  nodeName: string;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  /** Builds the ownership when the first policy appears; `changes` is edgelb_l2_ownership_changes_total. */
  ownership: (hooks: {
    onOwnedChange: (owned: ReadonlySet<string>) => void;
    changes: Counter;
  }) => OwnershipPort;
  /** mayAnswer is the ownership's (undefined while it does not run: nothing is answered then). */
  responder: (mayAnswer: (ip: string) => boolean) => ResponderPort;
  /** The host's interfaces (l2/link-facts.ts readLinks). */
  links: () => LinkFacts[];
  /** Where "announcing" Events go (any node may write them). */
  writer: () => StatusWriter;
  /** kubernetes.withdrawWhenCordoned (default true): cordoned nodes are not eligible. */
  withdrawWhenCordoned?: boolean;
  /** A full garbage collection after a large change (default: Bun.gc(true) and Bun.shrink()). */
  collect?: () => void;
}

export class L2Announcer {
  private ownership: OwnershipPort | undefined;
  private readonly responder: ResponderPort;
  private plan: L2Plan = { candidates: [], interfaces: new Map() };
  private owned: ReadonlySet<string> = new Set();
  /** The last pass's Services; indexed by "namespace/name" only when an Event needs one. */
  private serviceList: readonly ServiceObject[] = [];
  private problems: string[] = [];
  /** "ip%interface" pairs answered after the last apply: new ones get an Event. */
  private answered = new Set<string>();
  /** The Responder's generation when `answered` was taken. */
  private answeredGeneration = -1;
  /** Each interface pattern compiled once (not once per IP and pass). */
  private readonly patterns = new PatternCache();
  private rescan: Timer | undefined;
  private collectTimer: Timer | undefined;
  /** The interfaces as last read: a takeover or a pass uses them, the rescan refreshes them. */
  private links: { at: number; list: LinkFacts[] } | undefined;
  private stopped = false;
  private readonly changes: Counter;

  constructor(private readonly o: L2Options) {
    this.responder = o.responder((ip) => this.ownership?.mayAnswer(ip) ?? false);
    const m = o.metrics;
    m.collect('edgelb_l2_owned_ips', 'IPs this node answers ARP/NDP for (L2 mode).', 'gauge', () => [
      { labels: {}, value: this.owned.size },
    ]);
    m.collect(
      'edgelb_l2_requests_answered_total',
      'ARP requests (family 4) and Neighbor Solicitations (family 6) answered.',
      'counter',
      () => {
        const c = this.responder.counters().requestsAnswered;
        return [
          { labels: { family: '4' }, value: c[4] },
          { labels: { family: '6' }, value: c[6] },
        ];
      },
    );
    m.collect(
      'edgelb_l2_gratuitous_sent_total',
      'Gratuitous ARP (family 4) and unsolicited Neighbor Advertisement (family 6) announcements sent.',
      'counter',
      () => {
        const c = this.responder.counters().gratuitousSent;
        return [
          { labels: { family: '4' }, value: c[4] },
          { labels: { family: '6' }, value: c[6] },
        ];
      },
    );
    this.changes = m.counter(
      'edgelb_l2_ownership_changes_total',
      'IPs this node started or stopped answering (L2 mode).',
    );
  }

  /** One reconcile pass: plan, start or stop the ownership, feed it the candidates. */
  update(observed: ObservedState, objects: ValidObjects): void {
    if (this.stopped) return;
    if (objects.l2Policies.length === 0) {
      // No L2 at all (the common BGP-only cluster): no per-pass work beyond this check.
      this.plan = { candidates: [], interfaces: new Map() };
      this.serviceList = [];
      if (this.ownership) void this.release();
      return;
    }
    this.serviceList = observed.services;
    const nodes = (observed.nodes ?? (observed.node ? [observed.node] : [])).map((n) => ({
      name: n.metadata.name,
      labels: n.metadata.labels ?? {},
      ...(n.spec?.unschedulable === true ? { unschedulable: true } : {}),
    }));
    this.plan = planL2({
      nodeName: this.o.nodeName,
      nodes,
      policies: objects.l2Policies,
      pools: objects.pools,
      services: observed.services,
      endpointSlices: observed.endpointSlices,
      ...(this.o.withdrawWhenCordoned === false ? { withdrawWhenCordoned: false } : {}),
    });
    if (!this.ownership) {
      this.ownership = this.o.ownership({
        onOwnedChange: (owned) => this.ownedChanged(owned),
        changes: this.changes,
      });
      this.ownership.start();
      this.o.log.info('L2 mode on', { policies: objects.l2Policies.map((p) => p.metadata.name) });
    }
    this.ownership.setCandidates(this.plan.candidates);
    // Interface rules may have changed (a policy's interfaces edited) with the same owned set.
    this.apply();
  }

  /** Files mode's answer without heartbeats, for tests and `edgelb status` alike. */
  staticallyOwned(): Set<string> {
    return ownedStatically(this.plan, this.o.nodeName);
  }

  status(): L2Doc {
    const out: L2Doc = {
      active: this.ownership !== undefined,
      owned: this.responder.snapshot().owned,
      problems: [...this.problems],
    };
    const s = this.ownership?.snapshot?.();
    if (s)
      out.ownership = {
        live: s.live,
        liveNodes: s.liveNodes,
        pending: s.pending,
        fenceAt: s.fenceAt > 0 ? new Date(s.fenceAt).toISOString() : '',
        heartbeatWrites: s.heartbeatWrites,
        lastError: s.lastError,
      };
    return out;
  }

  /** SIGTERM: stop answering at once, then hand the IPs over (the Lease released). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rescan?.cancel();
    this.collectTimer?.cancel();
    this.responder.stop();
    await this.ownership?.stop();
    this.ownership = undefined;
  }

  private async release(): Promise<void> {
    const ownership = this.ownership;
    this.ownership = undefined;
    this.owned = new Set();
    this.apply();
    this.o.log.info('L2 mode off: no L2AnnouncementPolicy');
    await ownership?.stop();
  }

  private ownedChanged(owned: ReadonlySet<string>): void {
    let changed = 0;
    for (const ip of owned) if (!this.owned.has(ip)) changed++;
    for (const ip of this.owned) if (!owned.has(ip)) changed++;
    this.owned = new Set(owned);
    this.apply();
    if (changed >= L2_COLLECT_AFTER) this.collectSoon();
  }

  private collectSoon(): void {
    const collect = this.o.collect ?? defaultCollect(true);
    if (!collect || this.stopped) return;
    this.collectTimer?.cancel();
    this.collectTimer = this.o.clock.setTimer(L2_COLLECT_DELAY_MS, () => {
      this.collectTimer = undefined;
      collect();
    });
  }

  /**
   * The host's interfaces, read at most every LINK_RESCAN_MS (a node with hundreds of pod veths
   * would otherwise read sysfs for each on every pass, and on the takeover path). The age is
   * monotonic: a wall-clock step neither forces a read nor keeps an old list.
   */
  private currentLinks(refresh: boolean): LinkFacts[] {
    const now = monotonicNow(this.o.clock);
    if (refresh || !this.links || now - this.links.at >= LINK_RESCAN_MS)
      this.links = { at: now, list: this.o.links() };
    return this.links.list;
  }

  /** Owned IPs -> interfaces -> Responder; problems and Events for what changed. */
  private apply(refreshLinks = false): void {
    if (this.stopped) return;
    const links = this.owned.size > 0 ? this.currentLinks(refreshLinks) : [];
    const { want, problems } = interfacesForOwned(this.owned, this.plan.interfaces, links, this.patterns);
    for (const p of this.responder.setOwned(want))
      problems.push(`L2: ${p.ip}${p.interface ? ` on ${p.interface}` : ''} not answered: ${p.message}`);
    for (const p of problems) if (!this.problems.includes(p)) this.o.log.warn(p);
    this.problems = problems;
    this.recordEvents();
    this.armRescan();
  }

  /** An Event for each (IP, interface) answered since the last apply; nothing to do when none changed. */
  private recordEvents(): void {
    const generation = this.responder.generation();
    if (generation === this.answeredGeneration) return;
    this.answeredGeneration = generation;
    const now = new Set(this.responder.answeredKeys());
    const fresh: { ip: string; iface: string; key: string }[] = [];
    for (const k of now) {
      if (this.answered.has(k)) continue;
      const at = k.lastIndexOf('%');
      fresh.push({ ip: k.slice(0, at), iface: k.slice(at + 1), key: k });
    }
    this.answered = now;
    if (fresh.length === 0) return;
    fresh.sort((a, b) => (a.ip === b.ip ? collator.compare(a.iface, b.iface) : collator.compare(a.ip, b.ip)));
    const byIP = new Map(this.plan.candidates.map((c) => [c.ip, c.group]));
    const services = new Map<string, ServiceObject>();
    for (const s of this.serviceList) services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    for (const e of fresh) {
      const svc = services.get(byIP.get(e.ip) ?? '');
      if (!svc) continue;
      const message = `announcing ${e.ip} from node ${this.o.nodeName} on ${e.iface}`;
      this.o.writer().nodeEvent?.(svc, 'L2Announcing', 'Normal', message);
    }
  }

  private armRescan(): void {
    if (this.rescan || this.owned.size === 0 || this.stopped) return;
    this.rescan = this.o.clock.setTimer(LINK_RESCAN_MS, () => {
      this.rescan = undefined;
      this.apply(true);
    });
  }
}
