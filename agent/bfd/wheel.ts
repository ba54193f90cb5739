/**
 * PURE. The scheduling rule of the BFD timer wheel: every timer of every session (the
 * periodic transmission, the Detection Time) is a slot with a deadline, and one process
 * timer serves them all. A wake-up runs every slot that is due and, with it, every slot
 * already inside its window: a transmit slot may run anywhere from 75 % of the negotiated
 * interval (RFC 5880 §6.8.7 allows 75–100 %, 75–90 % with Detect Mult 1) up to its jittered
 * deadline, so the sessions' periodic packets go out together and an idle process wakes
 * about once per interval instead of once per session and timer (timer wake-ups are most of
 * an idle process's CPU: test/bench/bfd-idle.bench.ts).
 *
 * Jitter is kept: each deadline is drawn at random as before, and a slot runs early only
 * when another session's random deadline comes first, so every interval is still reduced
 * by a random 0–25 % (no longer uniform: the earliest of the deadlines in reach). A Detection
 * Time slot has no window (earliestAt = dueAt): it never runs early.
 */

export interface WheelSlot {
  /** The latest time the slot may run (a jittered TX deadline, a Detection Time deadline). */
  dueAt: number;
  /** The earliest time it may run along with a due slot (≤ dueAt; = dueAt: never early). */
  earliestAt: number;
}

/**
 * The slots to run at `now`, by deadline: none unless at least one is due; then every due
 * slot and every slot inside its window.
 */
export function slotsToRun<K>(slots: ReadonlyMap<K, WheelSlot>, now: number): K[] {
  let due = false;
  for (const s of slots.values()) {
    if (s.dueAt <= now) {
      due = true;
      break;
    }
  }
  if (!due) return [];
  const run: [K, number][] = [];
  for (const [k, s] of slots) if (Math.min(s.earliestAt, s.dueAt) <= now) run.push([k, s.dueAt]);
  run.sort((a, b) => a[1] - b[1]);
  return run.map(([k]) => k);
}

/**
 * When the process timer should fire next: the earliest deadline, and no later than
 * `maxGapMs` after `now` (a bound on how long received packets may wait in the kernel).
 * undefined: no slot and no bound, nothing to wake for.
 */
export function nextWakeAt(
  slots: ReadonlyMap<unknown, WheelSlot>,
  now: number,
  maxGapMs?: number,
): number | undefined {
  let at = maxGapMs === undefined ? undefined : now + maxGapMs;
  for (const s of slots.values()) if (at === undefined || s.dueAt < at) at = s.dueAt;
  return at;
}

/** A transmit slot started at `now`: due after the jittered interval, open from its lower bound. */
export function transmitSlot(now: number, jitteredMs: number, minIntervalMs: number): WheelSlot {
  return { dueAt: now + jitteredMs, earliestAt: now + Math.min(jitteredMs, minIntervalMs) };
}
