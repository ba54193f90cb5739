/**
 * PURE. What one IPAM call did to each Service: the result and addresses it had before the
 * call (so only real changes are returned) and the addresses it lost, and why (for the
 * `replaced` field and its Event).
 */
import { type SvcState, sameResult } from './service-state.ts';
import type { Replaced, ServiceResult } from './types.ts';

export interface Touched {
  result: ServiceResult | undefined;
  held: string[];
}

const NOTHING: string[] = [];
/** What touch() records for a Service this call has not seen yet, when it had nothing before. */
export const UNTOUCHED: Touched = Object.freeze({ result: undefined, held: NOTHING });

export class CallLog {
  private touched = new Map<string, Touched>();
  private lost = new Map<string, { ips: Set<string>; why: string[] }>();
  /** Inside restore(): every Service is new, nothing to remember per Service. */
  restoring = false;

  /** Drops the per-call bookkeeping (clear() on an empty Map is not free: skip it). */
  end(): void {
    if (this.touched.size > 0) this.touched.clear();
    if (this.lost.size > 0) this.lost.clear();
  }

  /** Remembers the Service as it was before this call changes it. */
  touch(st: SvcState): void {
    if (this.restoring) return;
    if (!this.touched.has(st.view.key))
      this.touched.set(st.view.key, {
        result: st.result,
        held: st.held.length === 0 ? NOTHING : st.held.map((h) => h.text),
      });
  }

  forget(key: string): void {
    this.touched.delete(key);
  }

  noteLost(key: string, ip: string, why: string): void {
    let l = this.lost.get(key);
    if (!l) {
      l = { ips: new Set(), why: [] };
      this.lost.set(key, l);
    }
    l.ips.add(ip);
    const line = `${ip}: ${why}`;
    if (!l.why.includes(line)) l.why.push(line);
  }

  /** The results this call changed (of Services still known), then forgets the call. */
  finish(service: (key: string) => SvcState | undefined): ServiceResult[] {
    const out: ServiceResult[] = [];
    for (const [key, prev] of this.touched) {
      const st = service(key);
      if (!st) continue;
      const replaced = this.settle(st, prev);
      if (!replaced && sameResult(prev.result, st.result)) continue;
      out.push(st.result);
    }
    // Per-call bookkeeping only: do not keep 100,000 entries alive until the next call.
    this.end();
    return out;
  }

  /** Adds `replaced` to the result when the call took away what the Service had; true then. */
  settle(st: SvcState, prev: Touched): boolean {
    const lost = this.lost.get(st.view.key);
    if (!lost) return false;
    // Only what the Service really had (held before this call, or in its status) was replaced.
    const gone = [...lost.ips].filter(
      (ip) =>
        (prev.held.includes(ip) || st.view.statusIPs.includes(ip)) && !st.held.some((h) => h.text === ip),
    );
    if (gone.length === 0) return false;
    const replaced: Replaced = { ips: gone, why: lost.why.join('; ') };
    st.result = { ...st.result, replaced };
    return true;
  }
}
