/**
 * SHELL. The speaker's per-peer metrics: their registration, a new peer's zeroes, a removed
 * peer's series going, and the session events that move them.
 */
import type { Counter, Gauge, Registry } from '../lib/metrics.ts';
import type { SessionEvents } from './session-types.ts';
import { notificationCodeLabel } from './wire/index.ts';

export interface SpeakerMetrics {
  up: Gauge;
  advertised: Gauge;
  updates: Counter;
  notifications: Counter;
  flaps: Counter;
  sendHoldExpired: Counter;
}

export function speakerMetrics(r: Registry): SpeakerMetrics {
  return {
    up: r.gauge('edgelb_bgp_session_up', 'BGP session Established (1) or not (0).', ['peer']),
    flaps: r.counter('edgelb_bgp_session_flaps_total', 'Established sessions that went down.', ['peer']),
    advertised: r.gauge('edgelb_bgp_advertised_prefixes', 'Prefixes in the Adj-RIB-Out of the peer.', [
      'peer',
    ]),
    updates: r.counter('edgelb_bgp_updates_sent_total', 'UPDATE messages sent.', ['peer']),
    notifications: r.counter('edgelb_bgp_notifications_total', 'NOTIFICATION messages sent and received.', [
      'peer',
      'direction',
      'code',
    ]),
    sendHoldExpired: r.counter(
      'edgelb_bgp_send_hold_expired_total',
      'Sessions ended by the RFC 9687 send-hold timer (the peer stopped reading).',
      ['peer'],
    ),
  };
}

/** A new peer's series, all present from the start (at 0). */
export function addPeerMetrics(m: SpeakerMetrics, peer: string): void {
  m.up.set({ peer }, 0);
  m.flaps.inc({ peer }, 0);
  m.advertised.set({ peer }, 0);
  m.updates.inc({ peer }, 0);
  m.sendHoldExpired.inc({ peer }, 0);
}

/** A peer removed from the configuration: its series go. */
export function removePeerMetrics(m: SpeakerMetrics, peer: string): void {
  m.up.remove({ peer });
  m.flaps.remove({ peer });
  m.sendHoldExpired.remove({ peer });
  m.advertised.remove({ peer });
}

/** The session events of one peer, as metric changes. */
export function metricEvents(m: SpeakerMetrics, peer: string): SessionEvents {
  return {
    established: () => m.up.set({ peer }, 1),
    down: () => {
      if (m.up.get({ peer }) === 1) m.flaps.inc({ peer });
      m.up.set({ peer }, 0);
    },
    advertised: (s) => m.advertised.set({ peer }, s.adjRibOut.size),
    updatesSent: (_s, n) => m.updates.inc({ peer }, n),
    notification: (_s, direction, code) =>
      m.notifications.inc({ peer, direction, code: notificationCodeLabel(code) }),
    sendHoldExpired: () => m.sendHoldExpired.inc({ peer }),
  };
}
