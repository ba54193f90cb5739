/**
 * L2 ownership in files mode: this node is the only node, so it owns every candidate it is
 * eligible for, from start() until stop(). No heartbeats, no Leases.
 */
import type { OwnershipCandidate } from '../l2/ownership.ts';
import type { Counter } from '../lib/metrics.ts';
import type { OwnershipPort } from './l2-ports.ts';

/** Files mode: this node is the only node, so it owns every candidate it is eligible for. */
export class StaticOwnership implements OwnershipPort {
  private owned: ReadonlySet<string> = new Set();
  private running = false;

  constructor(
    private readonly o: {
      nodeName: string;
      onOwnedChange: (owned: ReadonlySet<string>) => void;
      changes?: Counter;
    },
  ) {}

  start(): void {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.emit(new Set());
  }

  setCandidates(candidates: readonly OwnershipCandidate[]): void {
    if (!this.running) return;
    const next = new Set<string>();
    for (const c of candidates) if ([...c.eligibleNodes].includes(this.o.nodeName)) next.add(c.ip);
    this.emit(next);
  }

  mayAnswer(ip: string): boolean {
    return this.owned.has(ip);
  }

  private emit(next: ReadonlySet<string>): void {
    let delta = 0;
    for (const ip of next) if (!this.owned.has(ip)) delta++;
    for (const ip of this.owned) if (!next.has(ip)) delta++;
    if (delta === 0) return;
    this.owned = next;
    this.o.changes?.inc({}, delta);
    this.o.onOwnedChange(new Set(next));
  }
}
