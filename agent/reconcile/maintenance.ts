/**
 * SHELL. Planned maintenance on this node: `edgelb drain` / `undrain` (over the control socket)
 * and the withdraw-before-shutdown of a machine going down. A drain is done when it is done from
 * the routers' point of view:
 *
 * 1. the drained state is saved first (state directory): if that fails, nothing has changed;
 * 2. a reconcile pass plans no announcement (plan/node-state.ts NodeDrained) and hands the
 *    withdrawals to the speaker, sessions staying up;
 * 3. every Established session's send queue empties: the withdrawals were sent and acknowledged
 *    by the peer's TCP (SIOCOUTQ, bgp/connection.ts), bounded by the drain timeout;
 * 4. a settle delay (default 1 s) for the routers to run their best-path and FIB updates.
 *
 * One drain or undrain at a time: a second one while the first runs gets Busy at once, and
 * changes nothing.
 */
import type { ControlRequest, ControlResponse, MaintenanceView } from '../control/protocol.ts';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { NodeWithhold } from './plan/node-state.ts';

/** How often the send queues are read while waiting for acknowledgements. */
export const ACK_POLL_MS = 20;

export interface DrainedStorePort {
  load(): { ok: true; value: { drained: boolean; since?: string } } | { ok: false; message: string };
  save(r: { drained: boolean; since?: string }): { ok: true } | { ok: false; message: string };
}

export interface UnacknowledgedPort {
  unacknowledged(): { peer: string; bytes: number | undefined }[];
}

export interface MaintenanceOptions {
  clock: Clock;
  store: DrainedStorePort;
  /** Runs a reconcile pass now; resolves once the speaker has the new announcements. */
  apply: () => Promise<void>;
  /** The BGP speaker (undefined before it exists: nothing announced, nothing to wait for). */
  speaker: () => UnacknowledgedPort | undefined;
  /** The node-level reasons in effect now (Reconciler.withholds). */
  withholds: () => NodeWithhold[];
  settleMs: number;
  timeoutMs: number;
  log: Logger;
}

type Wait =
  | { ok: true; waitedMs: number }
  | { ok: false; pending: { peer: string; bytes: number | undefined }[] };

export class Maintenance {
  private drainedNow: boolean;
  private since: string | undefined;
  private shuttingDownNow = false;
  private busy: 'drain' | 'undrain' | undefined;
  /** Why the saved state could not be read (the node then stays drained: the safe side). */
  readonly loadProblem: string | undefined;

  constructor(private readonly o: MaintenanceOptions) {
    const r = o.store.load();
    if (r.ok) {
      this.drainedNow = r.value.drained;
      this.since = r.value.since;
    } else {
      this.drainedNow = true;
      this.loadProblem = `${r.message}; the node stays drained until \`edgelb undrain\``;
      o.log.error('drained state unreadable', { error: r.message });
    }
    if (this.drainedNow)
      o.log.warn('node is drained: announcing nothing until `edgelb undrain`', { since: this.since });
  }

  get drained(): boolean {
    return this.drainedNow;
  }

  get shuttingDown(): boolean {
    return this.shuttingDownNow;
  }

  view(): MaintenanceView {
    return { drained: this.drainedNow, reasons: this.o.withholds().map((w) => ({ ...w })) };
  }

  /** The control socket's handler. */
  handle(req: ControlRequest): Promise<ControlResponse> {
    switch (req.command) {
      case 'maintenance':
        return Promise.resolve({
          ok: true,
          message: this.drainedNow ? 'drained' : 'not drained',
          state: this.view(),
        });
      case 'undrain':
        return this.undrain();
      case 'drain':
        return this.drain({
          settleMs: req.settleSeconds !== undefined ? req.settleSeconds * 1000 : this.o.settleMs,
          timeoutMs: req.timeoutSeconds !== undefined ? req.timeoutSeconds * 1000 : this.o.timeoutMs,
        });
    }
  }

  async drain(opts: { settleMs: number; timeoutMs: number }): Promise<ControlResponse> {
    const refused = this.refuse('drain');
    if (refused) return refused;
    this.busy = 'drain';
    try {
      if (!this.drainedNow) {
        const since = new Date(this.o.clock.now()).toISOString();
        const saved = this.o.store.save({ drained: true, since });
        if (!saved.ok)
          return this.fail('StateNotSaved', `drain refused, nothing withdrawn: ${saved.message}`);
        this.drainedNow = true;
        this.since = since;
        this.o.log.warn('draining: withdrawing every announcement of this node', {});
      }
      const w = await this.withdrawAndWait(opts.timeoutMs);
      if (!w.ok)
        return this.fail(
          'NotAcknowledged',
          `the node is drained (nothing announced), but ${describePending(w.pending)} within ${opts.timeoutMs / 1000} s; run \`edgelb drain\` again to wait, or check the session`,
        );
      await this.sleep(opts.settleMs);
      const message = `drained: every session acknowledged the withdrawals in ${w.waitedMs} ms, then ${opts.settleMs / 1000} s settle; \`edgelb undrain\` announces again`;
      this.o.log.info('drained', { acknowledgedMs: w.waitedMs, settleMs: opts.settleMs });
      return { ok: true, message, state: this.view() };
    } finally {
      this.busy = undefined;
    }
  }

  async undrain(): Promise<ControlResponse> {
    const refused = this.refuse('undrain');
    if (refused) return refused;
    this.busy = 'undrain';
    try {
      if (this.drainedNow || this.loadProblem) {
        const saved = this.o.store.save({ drained: false });
        if (!saved.ok) return this.fail('StateNotSaved', `undrain refused, still drained: ${saved.message}`);
      }
      const was = this.drainedNow;
      this.drainedNow = false;
      this.since = undefined;
      await this.o.apply();
      const others = this.o.withholds();
      this.o.log.info('undrained', { stillWithheld: others.map((w) => w.reason) });
      const message = !was
        ? 'not drained: nothing to do'
        : others.length
          ? `undrained, but this node still announces nothing: ${others.map((w) => `${w.reason} (${w.message})`).join('; ')}`
          : 'undrained: announcing again';
      return { ok: true, message, state: this.view() };
    } finally {
      this.busy = undefined;
    }
  }

  /**
   * The machine is shutting down: withdraw everything (not saved: the next boot announces) and
   * wait as a drain does, bounded by timeoutMs, then settle. Resolves in every case.
   */
  async withdrawForShutdown(timeoutMs: number): Promise<Wait> {
    this.shuttingDownNow = true;
    this.o.log.warn(
      'system is shutting down: withdrawing every announcement before the network goes down',
      {},
    );
    const w = await this.withdrawAndWait(timeoutMs);
    if (w.ok) await this.sleep(this.o.settleMs);
    else
      this.o.log.warn('shutdown withdrawals not acknowledged in time', {
        pending: describePending(w.pending),
      });
    return w;
  }

  private refuse(what: 'drain' | 'undrain'): ControlResponse | undefined {
    if (this.shuttingDownNow) return this.fail('Stopping', `${what} refused: the agent is stopping`);
    if (this.busy)
      return this.fail(
        'Busy',
        `${what} refused: a ${this.busy} is already in progress on this node; wait for it to finish (nothing was changed)`,
      );
    return undefined;
  }

  private fail(code: Extract<ControlResponse, { ok: false }>['code'], message: string): ControlResponse {
    return { ok: false, code, message, state: this.view() };
  }

  /** The wait and its timeout on monotonic time: a step of the wall clock neither ends nor stretches it. */
  private async withdrawAndWait(timeoutMs: number): Promise<Wait> {
    const start = monotonicNow(this.o.clock);
    await this.o.apply();
    for (;;) {
      const pending = this.o.speaker()?.unacknowledged() ?? [];
      const waited = monotonicNow(this.o.clock) - start;
      if (pending.length === 0) return { ok: true, waitedMs: Math.round(waited) };
      if (waited >= timeoutMs) return { ok: false, pending };
      await this.sleep(Math.min(ACK_POLL_MS, timeoutMs - waited));
    }
  }

  private sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => this.o.clock.setTimer(ms, resolve));
  }
}

function describePending(pending: { peer: string; bytes: number | undefined }[]): string {
  return pending
    .map((p) =>
      p.bytes === undefined
        ? `peer ${p.peer} cannot tell whether it acknowledged`
        : `peer ${p.peer} has not acknowledged ${p.bytes} bytes`,
    )
    .join(', ');
}
