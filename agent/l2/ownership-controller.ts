/**
 * SHELL. L2 ownership for kubernetes mode: this node's heartbeat (heartbeat.ts), a watch on
 * every node's heartbeat Lease (heartbeat-watch.ts, read through heartbeat-views.ts; our own
 * writes seen back in own-writes.ts), and the pure decisions (liveness.ts, ownership.ts), giving
 * the set of IPs THIS node answers through onOwnedChange. The set is emitted synchronously, so
 * the Responder stops answering in the same turn as the event that took an IP away: a fence (renew
 * deadline passed), a claim dropped for another node, stop().
 *
 * Order of a takeover: decide -> claim (written at once) -> the watch delivers our write back,
 * showing no other live claimant -> answer. Order of a loss: stop answering -> write the claim
 * dropped. Fresh start (or a fence): nothing claimed, so a node that comes back takes nothing from
 * a live owner. Standby: a node that is fenced, or whose watch has not delivered one of its own
 * writes for leaseDuration (it cannot see the others), answers nothing and writes its heartbeat
 * in the released form until both are well again, so the others place its IPs at once instead
 * of counting it as a live node that never claims (writes that commit but whose answers are
 * lost would otherwise keep it "live" for the others while it is fenced).
 *
 * Failover with the defaults (lease 2 s, renew 0.5 s, so renew deadline 1.5 s): a dead owner's
 * IPs are answered elsewhere 2 s after its last renewal was seen, plus two API round trips (the
 * claim write and its watch event); a clean stop hands over in those two round trips.
 *
 * Time: every comparison (a record's age, our view's horizon, the expiry timer) is on the clock's
 * monotonic time, as client-go's rule asks: another node's renewTime (written by its own wall
 * clock) is never compared with ours, only watched for change. Wall time only stamps the "since"
 * of an owned IP, for people.
 */
import type { LeaseStore } from '../kube/leader-election.ts';
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Counter } from '../lib/metrics.ts';
import { Heartbeat, type HeartbeatTimings, renewDeadlineOf } from './heartbeat.ts';
import { heartbeatLeaseName } from './heartbeat-lease.ts';
import { HeartbeatViews } from './heartbeat-views.ts';
import type { HeartbeatWatch } from './heartbeat-watch.ts';
import { isLive, nextExpiry, observeHeartbeats, type SeenHeartbeat } from './liveness.ts';
import { OwnWrites } from './own-writes.ts';
import { answerable, claimsOf, decideOwners, type LiveNode, type OwnershipCandidate } from './ownership.ts';

// Where they lived before; importers (agent.ts, tests) keep this path.
export { type HeartbeatWatch, kubeHeartbeatWatch } from './heartbeat-watch.ts';

export interface L2OwnershipOptions extends HeartbeatTimings {
  node: string;
  namespace: string;
  /** This node's own heartbeat Lease (kubeLeaseStore(client, namespace, heartbeatLeaseName(node))). */
  store: LeaseStore;
  watch: HeartbeatWatch;
  clock: Clock;
  log: Logger;
  /** The IPs this node must answer from now on (called only on a change). */
  onOwnedChange: (owned: ReadonlySet<string>) => void;
  /** edgelb_l2_ownership_changes_total: one per IP this node starts or stops answering. */
  changes?: Counter;
}

export interface L2OwnershipSnapshot {
  node: string;
  live: boolean;
  /** When the node fences itself unless a renewal succeeds (ms, 0 when fenced). */
  fenceAt: number;
  owned: { ip: string; since: number }[];
  /** Claimed in the Lease but not answered yet (waiting for the old owner to drop or expire). */
  pending: string[];
  liveNodes: string[];
  heartbeatWrites: number;
  ownershipChanges: number;
  lastError: string;
}

export class L2Ownership {
  private readonly heartbeat: Heartbeat;
  private readonly renewDeadlineMs: number;
  private candidates: OwnershipCandidate[] = [];
  private seen = new Map<string, SeenHeartbeat>();
  private claims: ReadonlySet<string> = new Set();
  /** Our writes as the watch delivers them back: the view's horizon, the confirmed claims. */
  private readonly own = new OwnWrites();
  private readonly views = new HeartbeatViews();
  /** The last claims decision and what it was made from: a renewal that changed nothing decides nothing. */
  private decided:
    | {
        candidates: OwnershipCandidate[];
        claims: ReadonlySet<string>;
        live: [string, ReadonlySet<string>][];
        result: ReadonlySet<string>;
      }
    | undefined;
  /** IP -> wall-clock time it was first answered (shown in the snapshot, never compared). */
  private answering = new Map<string, number>();
  private liveOthers = new Map<string, LiveNode>();
  private expiryTimer: Timer | undefined;
  private running = false;
  private changeCount = 0;
  /** The watch delivered one of our writes started less than leaseDuration ago. */
  private seeing = false;
  /** Writing the released form: fenced, or not seeing (see the file comment). */
  private standby = true;

  constructor(private readonly o: L2OwnershipOptions) {
    this.renewDeadlineMs = renewDeadlineOf(o);
    this.heartbeat = new Heartbeat({
      ...o,
      owned: () => this.claims,
      onWriteStarted: (w) => this.own.started(w),
      standby: () => this.standby || !this.heartbeat.isLive(),
      onLiveChange: () => this.recompute(),
    });
  }

  /** The IPs to place and who may answer each; fed by the reconcile loop (idempotent). */
  setCandidates(candidates: readonly OwnershipCandidate[]): void {
    this.candidates = [...candidates];
    this.recompute();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat.start();
    this.o.watch.start(() => this.recompute());
  }

  /** Stops answering at once (callback), then releases the Lease so the next owners start now. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.expiryTimer?.cancel();
    this.claims = new Set();
    this.emit(new Set());
    this.o.watch.stop();
    await this.heartbeat.stop();
  }

  owned(): ReadonlySet<string> {
    return new Set(this.answering.keys());
  }

  /**
   * For the Responder, before each reply: owned AND the fence deadline not passed. The fence is a
   * timer; if the event loop was blocked past the deadline, requests queued in the socket may be
   * read before that timer runs, and must not be answered.
   */
  mayAnswer(ip: string): boolean {
    return this.answering.has(ip) && this.heartbeat.isLive();
  }

  snapshot(): L2OwnershipSnapshot {
    return {
      node: this.o.node,
      live: this.heartbeat.isLive(),
      fenceAt: this.heartbeat.fenceAt(),
      owned: [...this.answering].map(([ip, since]) => ({ ip, since })).sort((a, b) => (a.ip < b.ip ? -1 : 1)),
      pending: [...this.claims].filter((ip) => !this.answering.has(ip)).sort(),
      liveNodes: [...this.liveOthers.keys(), ...(this.heartbeat.isLive() ? [this.o.node] : [])].sort(),
      heartbeatWrites: this.heartbeat.writes,
      ownershipChanges: this.changeCount,
      lastError: this.heartbeat.lastError,
    };
  }

  private recompute(): void {
    if (!this.running) return;
    const now = monotonicNow(this.o.clock);
    const self = heartbeatLeaseName(this.o.node);
    if (this.o.watch.synced) {
      const others = this.views.read(this.o.watch.list(), self, (l) => this.own.seen(l.spec?.renewTime));
      this.seen = observeHeartbeats(this.seen, others, now);
    }
    const seeing = now - this.own.horizon < this.o.leaseDurationMs;
    const seeingChanged = seeing !== this.seeing;
    this.seeing = seeing;
    if (seeingChanged)
      this.o.log.info(seeing ? 'l2 heartbeats visible' : 'l2 heartbeats not visible: standing by', {
        node: this.o.node,
      });
    const fresh = { horizon: this.own.horizon, renewDeadlineMs: this.renewDeadlineMs };
    this.liveOthers = new Map();
    for (const [node, s] of this.seen)
      if (isLive(s, now, fresh)) this.liveOthers.set(node, { owned: s.view.owned });

    let claims: ReadonlySet<string> = new Set();
    let answer = new Set<string>();
    // A fenced node, or one that does not see its own writes come back, claims and answers nothing.
    const standby = !(this.heartbeat.isLive() && seeing);
    const standbyChanged = standby !== this.standby;
    this.standby = standby;
    if (!standby && this.o.watch.synced) {
      claims = this.decide();
      answer = answerable({
        self: this.o.node,
        claims,
        confirmed: this.own.confirmed,
        live: this.liveOthers,
      });
    }
    const changed = !sameSet(claims, this.claims);
    if (changed) {
      this.own.forgetDropped(claims);
      this.claims = claims;
    }
    // stop answering before the write that drops the claim
    this.emit(answer);
    if (changed || standbyChanged) this.heartbeat.requestWrite();
    this.armExpiry(now);
  }

  /** decideOwners over the candidates, or its last answer when nothing it reads has changed. */
  private decide(): ReadonlySet<string> {
    const live = new Map(this.liveOthers);
    live.set(this.o.node, { owned: this.claims });
    const inputs: [string, ReadonlySet<string>][] = [...live].map(([n, v]) => [n, v.owned]);
    const d = this.decided;
    if (
      d &&
      d.candidates === this.candidates &&
      d.live.length === inputs.length &&
      d.live.every(([n, owned], i) => inputs[i]![0] === n && inputs[i]![1] === owned)
    )
      return d.result;
    const result = claimsOf(decideOwners({ ips: this.candidates, live }), this.o.node);
    // The result becomes this.claims when it differs: keep the decision keyed by that set.
    this.decided = { candidates: this.candidates, claims: this.claims, live: inputs, result };
    return result;
  }

  private armExpiry(now: number): void {
    this.expiryTimer?.cancel();
    let at = nextExpiry(this.seen.values(), now);
    const blindAt = this.own.horizon + this.o.leaseDurationMs;
    if (this.seeing && (at === undefined || blindAt < at)) at = blindAt;
    if (at !== undefined) this.expiryTimer = this.o.clock.setTimer(at - now, () => this.recompute());
  }

  private emit(answer: ReadonlySet<string>): void {
    const now = this.o.clock.now();
    const gained: string[] = [];
    const lost: string[] = [];
    for (const ip of [...this.answering.keys()]) {
      if (!answer.has(ip)) {
        this.answering.delete(ip);
        lost.push(ip);
      }
    }
    for (const ip of answer) {
      if (!this.answering.has(ip)) {
        this.answering.set(ip, now);
        gained.push(ip);
      }
    }
    const delta = gained.length + lost.length;
    if (delta === 0) return;
    this.changeCount += delta;
    this.o.changes?.inc({}, delta);
    // The changes, not the whole set (10,000 owned IPs would make every line 150 KB).
    this.o.log.info('l2 owned IPs changed', {
      node: this.o.node,
      owned: this.answering.size,
      gained: listSome(gained),
      lost: listSome(lost),
    });
    this.o.onOwnedChange(new Set(this.answering.keys()));
  }
}

/** Logged IPs per list; the rest as a count. */
const LOG_LIST_MAX = 16;

function listSome(ips: string[]): string {
  const shown = ips.slice(0, LOG_LIST_MAX).sort().join(',');
  return ips.length > LOG_LIST_MAX ? `${shown} and ${ips.length - LOG_LIST_MAX} more` : shown;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
