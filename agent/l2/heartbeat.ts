/**
 * SHELL. Renews this node's heartbeat Lease `edgelb-node-<node>` every renewInterval, carrying
 * the IPs the node claims, and fences itself: the node is live only until the start of its last
 * successful renewal + renewDeadline (renewDeadline < leaseDuration), enforced by a local timer
 * that also aborts the request in flight. Others judge the Lease expired only leaseDuration after
 * they SAW that renewal, which is later; so a node cut off from the API server stops answering
 * before anyone may take its IPs (trap 1). A claim change is written at once and restarts the
 * renewal timer. stop() releases the Lease (empty holder, no claims, 1 s) so others take over at
 * once. Every deadline and interval is measured on the clock's monotonic time, so stepping the
 * system clock neither fences a healthy node nor keeps a cut-off one live; wall time only fills
 * the Lease's renewTime and acquireTime (for people) and the fenceAt shown in /status.
 *
 * API cost: one write per renewInterval per node (2/s with the 0.5 s default) plus one per claim
 * change (rare: a node joins or dies, an endpoint moves), whatever the number of Services:
 * 6 writes/s at 3 nodes, 100 writes/s at 50. Every node watches every heartbeat, so the API
 * server sends N x 2 x N watch events/s: 18/s at 3 nodes, 5,000/s at 50 (small objects). Each
 * node's own client stays at 2 writes/s, under client-go's default 5 QPS.
 */
import type { LeaseStore } from '../kube/leader-election.ts';
import { microTime } from '../kube/lease-record.ts';
import { KubeApiError } from '../kube/transport.ts';
import { type Clock, monotonicNow, type Timer, wallTimeOf } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { formatOwned, type HeartbeatLease, heartbeatLease, parseOwned } from './heartbeat-lease.ts';

export interface HeartbeatTimings {
  leaseDurationMs: number;
  renewIntervalMs: number;
  /** Default: leaseDuration - renewInterval (1.5 s with the defaults). */
  renewDeadlineMs?: number;
}

/** Defaults of `l2.leaseDurationSeconds` and `l2.renewIntervalSeconds`. */
export const DEFAULT_LEASE_DURATION_MS = 2_000;
export const DEFAULT_RENEW_INTERVAL_MS = 500;

export function renewDeadlineOf(t: HeartbeatTimings): number {
  return t.renewDeadlineMs ?? t.leaseDurationMs - t.renewIntervalMs;
}

/** A problem with the timings, or undefined. */
export function validateHeartbeatTimings(t: HeartbeatTimings): string | undefined {
  const d = renewDeadlineOf(t);
  if (!(t.renewIntervalMs > 0)) return 'renewInterval must be positive';
  if (!(d < t.leaseDurationMs)) return 'the renew deadline must be shorter than the lease duration';
  if (!(d > t.renewIntervalMs)) return 'the renew deadline must be longer than the renew interval';
  if (t.leaseDurationMs < 1000) return 'the lease duration must be at least 1 s (Leases count whole seconds)';
  return undefined;
}

/** One write as it starts: the owner matches it when its watch delivers the Lease back. */
export interface HeartbeatWriteStart {
  /** Monotonic time (ms) at which the write started. */
  startedAt: number;
  /** The wall-clock renewTime it writes (MicroTime): how the owner recognises it in the watch. */
  renewTime: string;
  owned: ReadonlySet<string>;
}

export interface HeartbeatOptions extends HeartbeatTimings {
  node: string;
  namespace: string;
  store: LeaseStore;
  clock: Clock;
  log: Logger;
  /** The IPs to write as claimed, read at the start of each write. */
  owned: () => ReadonlySet<string>;
  onWriteStarted?: (w: HeartbeatWriteStart) => void;
  /**
   * True while the node cannot see the other heartbeats (its watch has not delivered its own
   * writes back): it then writes the released form (empty holder, no claims), so the others treat
   * it as gone and place its IPs elsewhere, while it keeps renewing to notice the watch return.
   */
  standby?: () => boolean;
  /** Called when the node becomes live (a renewal succeeded) or fenced (its deadline passed, or stop). */
  onLiveChange?: (live: boolean) => void;
}

export class Heartbeat {
  private running = false;
  private live = false;
  /** Monotonic time (ms) at which the node fences itself. */
  private deadline = 0;
  private timer: Timer | undefined;
  private fenceTimer: Timer | undefined;
  private requestTimer: Timer | undefined;
  private inflight: AbortController | undefined;
  private cached: HeartbeatLease | undefined;
  private writing = false;
  private again = false;
  private acquireTime = '';
  /** The claims as last read and written: the same set (never mutated) is not sorted and copied again. */
  private ownedCache: { from: ReadonlySet<string>; owned: ReadonlySet<string>; text: string } | undefined;
  private readonly durationSeconds: number;
  private readonly renewDeadlineMs: number;
  /** Successful writes, for /status and tests. */
  writes = 0;
  /** The last failure, "" after a success. */
  lastError = '';

  constructor(private readonly o: HeartbeatOptions) {
    const problem = validateHeartbeatTimings(o);
    if (problem) throw new Error(`l2 heartbeat: ${problem}`);
    if (!o.node) throw new Error('l2 heartbeat: empty node name');
    this.durationSeconds = Math.ceil(o.leaseDurationMs / 1000);
    this.renewDeadlineMs = renewDeadlineOf(o);
  }

  /** Live: the last successful renewal started less than renewDeadline ago. */
  isLive(): boolean {
    return this.live && this.mono() < this.deadline;
  }

  /**
   * When the node fences itself unless a renewal succeeds first, as a wall-clock time to show
   * (0 when not live): the monotonic time left, counted from the wall clock now.
   */
  fenceAt(): number {
    return this.live ? wallTimeOf(this.o.clock, this.deadline) : 0;
  }

  private mono(): number {
    return monotonicNow(this.o.clock);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.acquireTime = microTime(this.o.clock.now());
    this.schedule(0);
  }

  /** The claims changed: write now (or right after the write in flight). */
  requestWrite(): void {
    if (!this.running) return;
    if (this.writing) this.again = true;
    else this.schedule(0);
  }

  /** Fences first (callback), then releases the Lease so others take over without waiting. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.inflight?.abort();
    this.fence('stopping');
    if (this.cached) await this.release();
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(ms, () => void this.tick());
  }

  private async tick(): Promise<void> {
    if (!this.running || this.writing) return;
    this.writing = true;
    this.again = false;
    const start = this.mono();
    const ok = await this.write(start, this.o.clock.now());
    this.writing = false;
    this.requestTimer?.cancel();
    if (!this.running) return;
    if (ok) {
      this.writes++;
      this.lastError = '';
      if (this.live || this.mono() < start + this.renewDeadlineMs) this.extend(start + this.renewDeadlineMs);
    }
    const next = this.again ? 0 : Math.max(0, start + this.o.renewIntervalMs - this.mono());
    this.schedule(next);
  }

  private extend(deadline: number): void {
    this.deadline = deadline;
    this.fenceTimer?.cancel();
    this.fenceTimer = this.o.clock.setTimer(deadline - this.mono(), () =>
      this.fence('renew deadline passed'),
    );
    if (!this.live) {
      this.live = true;
      this.o.log.info('l2 heartbeat live', { node: this.o.node });
      this.o.onLiveChange?.(true);
    }
  }

  private fence(reason: string): void {
    if (!this.live) return;
    this.live = false;
    this.fenceTimer?.cancel();
    this.inflight?.abort();
    this.o.log.warn('l2 heartbeat fenced: not answering until a renewal succeeds', {
      node: this.o.node,
      reason,
      lastError: this.lastError,
    });
    this.o.onLiveChange?.(false);
  }

  /** A signal for one write: aborted at the fence deadline when live, after renewDeadline otherwise. */
  private signal(now: number): AbortSignal {
    this.requestTimer?.cancel();
    const ac = new AbortController();
    this.inflight = ac;
    const ms = this.live ? Math.max(1, this.deadline - now) : this.renewDeadlineMs;
    this.requestTimer = this.o.clock.setTimer(ms, () => ac.abort());
    return ac.signal;
  }

  private build(
    /** Wall clock (ms): becomes renewTime. */
    now: number,
    owned: ReadonlySet<string>,
    release = this.o.standby?.() ?? false,
    ownedText?: string,
  ): HeartbeatLease {
    return heartbeatLease(this.cached, this.o.namespace, {
      node: this.o.node,
      now,
      durationSeconds: this.durationSeconds,
      owned,
      ...(ownedText !== undefined ? { ownedText } : {}),
      acquireTime: this.acquireTime,
      release,
    });
  }

  /** The claims to write, canonical (sorted, deduplicated) and as annotation text. */
  private claims(): { owned: ReadonlySet<string>; text: string } {
    const from = this.o.owned();
    if (this.ownedCache?.from !== from) {
      const text = formatOwned(from);
      this.ownedCache = { from, owned: parseOwned(text), text };
    }
    return this.ownedCache;
  }

  /**
   * PUT over the cached Lease; on 409/404 (or nothing cached) GET, then PUT or POST. `now`:
   * monotonic start (deadlines); `wall`: the renewTime written.
   */
  private async write(now: number, wall: number): Promise<boolean> {
    const { owned, text } = this.claims();
    const signal = this.signal(now);
    let step = 'update';
    try {
      this.o.onWriteStarted?.({ startedAt: now, renewTime: microTime(wall), owned });
      if (this.cached) {
        try {
          this.cached = (await this.o.store.update(
            this.build(wall, owned, undefined, text),
            signal,
          )) as HeartbeatLease;
          return true;
        } catch (err) {
          if (!(err instanceof KubeApiError && (err.status === 409 || err.status === 404))) throw err;
        }
      }
      step = 'get';
      this.cached = (await this.o.store.get(signal)) as HeartbeatLease | undefined;
      step = this.cached ? 'update' : 'create';
      const lease = this.build(wall, owned, undefined, text);
      this.cached = (await (this.cached
        ? this.o.store.update(lease, signal)
        : this.o.store.create(lease, signal))) as HeartbeatLease;
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) this.cached = undefined;
      this.lastError = `lease ${this.o.namespace}/${this.cached?.metadata.name ?? `edgelb-node-${this.o.node}`}: ${step}: ${errorMessage(err)}`;
      this.o.log.debug('l2 heartbeat write failed', { step, error: errorMessage(err) });
      return false;
    }
  }

  private async release(): Promise<void> {
    const ac = new AbortController();
    const t = this.o.clock.setTimer(this.renewDeadlineMs, () => ac.abort());
    const now = this.o.clock.now();
    try {
      try {
        this.cached = (await this.o.store.update(
          this.build(now, new Set(), true),
          ac.signal,
        )) as HeartbeatLease;
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 409)) throw err;
        this.cached = (await this.o.store.get(ac.signal)) as HeartbeatLease | undefined;
        if (this.cached) await this.o.store.update(this.build(now, new Set(), true), ac.signal);
      }
      this.o.log.info('l2 heartbeat released', { node: this.o.node });
    } catch (err) {
      this.o.log.warn('could not release the l2 heartbeat; others take over when it expires', {
        error: errorMessage(err),
      });
    } finally {
      t.cancel();
    }
  }
}
