/**
 * ADAPTER. Lease leader election following client-go (see lease-record.ts for the pure
 * decisions). Candidates try every retryPeriod with jitter (factor 1.2); the leader
 * renews every retryPeriod. One deliberate tightening: leadership ends at the start of
 * the last successful renewal + renewDeadline, enforced by a local timer that also
 * aborts the request in flight. Others can only take over leaseDuration after they saw
 * that renewal, which is later; so a partitioned leader stops before anyone else starts.
 * stop() releases the Lease (empty holder, 1 s) so another node takes over at once.
 * Every duration (the observed record's age, the leader's deadline) is measured on the clock's
 * monotonic time, so stepping the system clock neither ends nor stretches a term; term()
 * counts the terms, so a caller can tell a term lost and regained from one that never ended.
 */
import { type Clock, monotonicNow, type Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import {
  decide,
  type ElectionTimings,
  isHolder,
  isLeaseValid,
  jittered,
  type LeaderElectionRecord,
  type Lease,
  NOTHING_OBSERVED,
  type Observed,
  observe,
  observeOwnWrite,
  recordFromSpec,
  releaseRecord,
  renewRecord,
  specFromRecord,
  validateTimings,
} from './lease-record.ts';
import { KubeApiError, type KubeClient } from './transport.ts';

/** The three calls leader election makes; a 404 from get is `undefined`. */
export interface LeaseStore {
  get(signal: AbortSignal): Promise<Lease | undefined>;
  create(lease: Lease, signal: AbortSignal): Promise<Lease>;
  update(lease: Lease, signal: AbortSignal): Promise<Lease>;
}

export function kubeLeaseStore(client: KubeClient, namespace: string, name: string): LeaseStore {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return {
    async get(signal) {
      try {
        return await client.request<Lease>('GET', `${base}/${encodeURIComponent(name)}`, { signal });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    create: (lease, signal) => client.request<Lease>('POST', base, { body: lease, signal }),
    update: (lease, signal) =>
      client.request<Lease>('PUT', `${base}/${encodeURIComponent(name)}`, { body: lease, signal }),
  };
}

export interface LeaderElectorOptions extends ElectionTimings {
  identity: string;
  namespace: string;
  name: string;
  store: LeaseStore;
  clock: Clock;
  random: () => number;
  log: Logger;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** Called on every change of the observed holder. */
  onNewLeader?: (holder: string) => void;
}

export class LeaderElector {
  private observed: Observed = NOTHING_OBSERVED;
  private cached: Lease | undefined;
  private leading = false;
  private deadline = 0;
  private running = false;
  private timer: Timer | undefined;
  private deadlineTimer: Timer | undefined;
  private inflight: AbortController | undefined;
  private requestTimer: Timer | undefined;
  private lastHolder = '';
  private readonly durationSeconds: number;
  private termAbort: AbortController | undefined;
  private terms = 0;
  /** The last failure to reach or update the Lease, "" after a success. */
  lastError = '';

  constructor(private readonly o: LeaderElectorOptions) {
    const problem = validateTimings(o);
    if (problem) throw new Error(`leader election: ${problem}`);
    if (!o.identity) throw new Error('leader election: empty identity');
    this.durationSeconds = Math.max(1, Math.ceil(o.leaseDurationMs / 1000));
  }

  isLeader(): boolean {
    return this.leading && this.mono() < this.deadline;
  }

  /** Counts the terms this node has led (1 during the first); a new term, a new number. */
  term(): number {
    return this.terms;
  }

  private mono(): number {
    return monotonicNow(this.o.clock);
  }

  holder(): string {
    return this.observed.record?.holderIdentity ?? '';
  }

  /** Aborted when the current term ends (undefined when not leading): pass it to writes. */
  termSignal(): AbortSignal | undefined {
    return this.leading ? this.termAbort?.signal : undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops trying; if leading, ends the term (callback first) and releases the Lease. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timer?.cancel();
    this.inflight?.abort();
    const wasLeading = this.leading;
    if (wasLeading) this.lose('stopping');
    if (wasLeading && this.cached) await this.release();
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(ms, () => void this.tick());
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const start = this.mono();
    const ok = await this.tryAcquireOrRenew(start, this.o.clock.now());
    if (!this.running) return;
    this.noteHolder();
    if (ok) {
      this.lastError = '';
      if (this.leading || this.mono() < start + this.o.renewDeadlineMs) {
        this.extend(start + this.o.renewDeadlineMs);
      }
    }
    this.requestTimer?.cancel();
    this.schedule(this.leading ? this.o.retryPeriodMs : jittered(this.o.retryPeriodMs, this.o.random));
  }

  private extend(deadline: number): void {
    this.deadline = deadline;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = this.o.clock.setTimer(deadline - this.mono(), () =>
      this.lose('renew deadline passed'),
    );
    if (!this.leading) {
      this.leading = true;
      this.terms++;
      this.termAbort = new AbortController();
      this.o.log.info('became leader', {
        identity: this.o.identity,
        lease: `${this.o.namespace}/${this.o.name}`,
      });
      this.o.onStartedLeading?.();
    }
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.deadlineTimer?.cancel();
    this.termAbort?.abort();
    this.inflight?.abort();
    this.o.log.warn('stopped leading', { identity: this.o.identity, reason });
    this.o.onStoppedLeading?.();
  }

  private noteHolder(): void {
    const h = this.holder();
    if (h !== this.lastHolder) {
      this.lastHolder = h;
      this.o.onNewLeader?.(h);
    }
  }

  /** A signal for one request: aborted at the leader's deadline, or after renewDeadline otherwise. */
  private requestSignal(now: number): AbortSignal {
    // one request at a time: the previous one's timeout is no longer needed
    this.requestTimer?.cancel();
    const ac = new AbortController();
    this.inflight = ac;
    const ms = this.leading ? Math.max(1, this.deadline - now) : this.o.renewDeadlineMs;
    this.requestTimer = this.o.clock.setTimer(ms, () => ac.abort());
    return ac.signal;
  }

  private leaseWith(record: LeaderElectionRecord): Lease {
    const base: Lease = this.cached ?? {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.o.namespace },
      spec: {},
    };
    return {
      ...base,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      spec: { ...base.spec, ...specFromRecord(record) },
    };
  }

  private async write(record: LeaderElectionRecord, now: number, create: boolean): Promise<boolean> {
    const signal = this.requestSignal(now);
    try {
      const lease = this.leaseWith(record);
      const saved = create
        ? await this.o.store.create(lease, signal)
        : await this.o.store.update(lease, signal);
      this.cached = saved;
      this.observed = observeOwnWrite(recordFromSpec(saved.spec), this.mono());
      return true;
    } catch (err) {
      this.fail(create ? 'create' : 'update', err);
      return false;
    }
  }

  private fail(step: string, err: unknown): void {
    const conflict = err instanceof KubeApiError && err.status === 409;
    this.lastError = `lease ${this.o.namespace}/${this.o.name}: ${step}: ${errorMessage(err)}`;
    if (conflict) this.o.log.debug('lease changed under us; retrying', { step });
    else this.o.log.warn('leader election attempt failed', { step, error: errorMessage(err) });
  }

  /** client-go's tryAcquireOrRenew, step by step: `now` monotonic, `wall` for the record. */
  private async tryAcquireOrRenew(now: number, wall: number): Promise<boolean> {
    const me = this.o.identity;
    // 1. Fast path: the holder renews from its cached Lease.
    if (this.leading && isHolder(this.observed, me) && isLeaseValid(this.observed, now) && this.cached) {
      if (await this.write(renewRecord(this.observed, me, this.durationSeconds, wall), now, false))
        return true;
      if (!this.running) return false;
    }
    // 2. Get, or create when absent.
    let current: Lease | undefined;
    try {
      current = await this.o.store.get(this.requestSignal(now));
    } catch (err) {
      this.fail('get', err);
      return false;
    }
    if (!current) {
      this.cached = undefined;
      return this.write(renewRecord(NOTHING_OBSERVED, me, this.durationSeconds, wall), now, true);
    }
    this.cached = current;
    // 3. A changed record restarts the observer's clock.
    this.observed = observe(this.observed, recordFromSpec(current.spec), this.mono());
    // 4-5. Held by someone else and not expired on our (monotonic) clock: wait.
    const d = decide(this.observed, me, this.durationSeconds, now, wall);
    if (d.kind === 'held') return false;
    // 6. Update with the resourceVersion we just read; 409 is a failed attempt.
    return this.write(d.record, now, false);
  }

  private async release(): Promise<void> {
    const now = this.o.clock.now();
    const ac = new AbortController();
    const t = this.o.clock.setTimer(this.o.renewDeadlineMs, () => ac.abort());
    try {
      if (!isHolder(this.observed, this.o.identity)) return;
      const saved = await this.o.store.update(this.leaseWith(releaseRecord(this.observed, now)), ac.signal);
      this.cached = saved;
      this.observed = observeOwnWrite(recordFromSpec(saved.spec), this.mono());
      this.o.log.info('released lease', { lease: `${this.o.namespace}/${this.o.name}` });
    } catch (err) {
      this.o.log.warn('could not release lease; others take over when it expires', {
        error: errorMessage(err),
      });
    } finally {
      t.cancel();
    }
  }
}
