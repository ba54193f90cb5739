/**
 * Fault injection: fail the next N matching requests, hang requests (a partition: no response
 * while on), drop open watch streams abruptly, expire watches (ERROR 410 + history compaction).
 */

export type PathMatch = RegExp | string;

export interface FaultControls {
  failNext(n: number, o?: { status?: number; path?: PathMatch; method?: string }): void;
  dropWatches(): void;
  hang(on: boolean, o?: { path?: PathMatch }): void;
  expireWatches(): void;
  reset(): void;
}

export function pathMatches(m: PathMatch | undefined, path: string): boolean {
  if (m === undefined) return true;
  return typeof m === 'string' ? path.includes(m) : m.test(path);
}

interface FailRule {
  remaining: number;
  status: number;
  path?: PathMatch;
  method?: string;
}

export class Faults implements FaultControls {
  private rules: FailRule[] = [];
  private hanging: { path?: PathMatch } | undefined;
  private parked: (() => void)[] = [];

  constructor(private readonly hooks: { dropWatches(): void; expireWatches(): void; released(): void }) {}

  failNext(n: number, o: { status?: number; path?: PathMatch; method?: string } = {}): void {
    if (n > 0)
      this.rules.push({
        remaining: n,
        status: o.status ?? 500,
        path: o.path,
        method: o.method?.toUpperCase(),
      });
  }

  /** The status to fail this request with, consuming one unit of the first matching rule. */
  takeFailure(method: string, path: string): number | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.method && r.method !== method) continue;
      if (!pathMatches(r.path, path)) continue;
      r.remaining--;
      this.rules = this.rules.filter((x) => x.remaining > 0);
      return r.status;
    }
    return undefined;
  }

  hang(on: boolean, o: { path?: PathMatch } = {}): void {
    if (on) {
      this.hanging = { path: o.path };
      return;
    }
    this.hanging = undefined;
    const parked = this.parked;
    this.parked = [];
    for (const resume of parked) resume();
    this.hooks.released();
  }

  isHung(path: string): boolean {
    return this.hanging !== undefined && pathMatches(this.hanging.path, path);
  }

  /** Holds a request until hang(false); resume runs it then (if its client is still there). */
  park(resume: () => void): void {
    this.parked.push(resume);
  }

  dropWatches(): void {
    this.hooks.dropWatches();
  }

  expireWatches(): void {
    this.hooks.expireWatches();
  }

  reset(): void {
    this.rules = [];
    if (this.hanging) this.hang(false);
  }
}
