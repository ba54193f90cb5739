/**
 * PURE. When a received packet arrived, on the monotonic clock the timers run on. The kernel
 * stamps a datagram with the wall clock (SO_TIMESTAMP, like Date.now()), so its age is the
 * wall clock now minus the stamp, and the arrival is that long before the monotonic now. A
 * stamp in the future, or older than any packet waits in the kernel, means the wall clock was
 * stepped between arrival and read (NTP, `date -s`): the packet then counts as arriving when
 * it is read (late by at most one drain, never hours early or late).
 */

/**
 * The oldest a stamp may be and still be believed: a steady manager drains at least every
 * second (transport.ts MAX_RECEIVE_DELAY_MS), this leaves room for a stalled event loop.
 */
export const MAX_ARRIVAL_AGE_MS = 5000;

/** The monotonic arrival time of a packet stamped `receivedAtWall` and read at (`wallNow`, `monoNow`). */
export function arrivalMonotonic(
  receivedAtWall: number | undefined,
  wallNow: number,
  monoNow: number,
): number {
  if (receivedAtWall === undefined) return monoNow;
  const age = wallNow - receivedAtWall;
  // NaN fails both tests too: a stamp that cannot be read counts as arriving now.
  return age >= 0 && age <= MAX_ARRIVAL_AGE_MS ? monoNow - age : monoNow;
}
