/**
 * PURE. RFC 5880 timer arithmetic: the negotiated transmit interval (§6.8.2, §6.8.7), the
 * slow start while not Up (§6.8.3), the Detection Time (§6.8.4) and the TX jitter (§6.8.7).
 * Microseconds in, milliseconds out (the clock's unit).
 */

/** §6.8.3: while the session is not Up, DesiredMinTxInterval is at least one second. */
export const SLOW_DESIRED_MIN_TX_US = 1_000_000;
const US_PER_MS = 1000;
/** §6.8.7: jitter reduces an interval by at most 25 %. */
const MIN_JITTER_FACTOR = 0.75;

/** §6.8.7: the interval between packets is the slower of our DesiredMinTx and the peer's RequiredMinRx. */
export function transmitIntervalUs(localDesiredMinTxUs: number, remoteRequiredMinRxUs: number): number {
  return Math.max(localDesiredMinTxUs, remoteRequiredMinRxUs);
}

/** §6.8.4 (asynchronous mode): remote Detect Mult × max(local RequiredMinRx, remote DesiredMinTx). */
export function detectionTimeUs(
  remoteDetectMult: number,
  localRequiredMinRxUs: number,
  remoteDesiredMinTxUs: number,
): number {
  return remoteDetectMult * Math.max(localRequiredMinRxUs, remoteDesiredMinTxUs);
}

/** §6.8.3: the DesiredMinTx to advertise in a state (slow start while not Up). */
export function advertisedDesiredMinTxUs(configuredUs: number, up: boolean): number {
  return up ? configuredUs : Math.max(configuredUs, SLOW_DESIRED_MIN_TX_US);
}

/**
 * §6.8.7: each interval is reduced by a random 0–25 % (75–100 % of the negotiated one);
 * with Detect Mult 1 it must be no more than 90 % (75–90 %). random() is in [0, 1).
 */
export function jitteredIntervalMs(intervalUs: number, detectMult: number, random: () => number): number {
  const span = detectMult === 1 ? 0.15 : 0.25;
  const factor = MIN_JITTER_FACTOR + span * random();
  return Math.max(1, Math.floor((intervalUs * factor) / US_PER_MS));
}

/**
 * §6.8.7: the shortest interval jitter may give (75 % of the negotiated one, in whole ms as
 * jitteredIntervalMs rounds): a transmission may move this early, never earlier.
 */
export function minJitteredIntervalMs(intervalUs: number): number {
  return Math.max(1, Math.floor((intervalUs * MIN_JITTER_FACTOR) / US_PER_MS));
}

export function usToMs(us: number): number {
  return us / US_PER_MS;
}
