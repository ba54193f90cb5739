/**
 * Exponential backoff with full jitter, capped. Pure: the random source is injected.
 * delay(n) for attempt n >= 0 lies in [base*2^n*(1-jitter), base*2^n] and never exceeds cap.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Fraction of the delay that is randomised, 0..1. */
  jitter: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const spread = exp * opts.jitter;
  return Math.round(exp - spread * random());
}
