/** What a Session needs (deps) and tells (events). */
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { LivenessState } from './liveness-gate.ts';
import type { Session } from './session.ts';
import type { Dial } from './transport.ts';
import type { UpdateMessage } from './wire/index.ts';

export interface SessionDeps {
  routerId: string;
  hostname?: string;
  nextHopV4?: string;
  nextHopV6?: string;
  /** A family's next hop when neither pinned above nor the session's local address (the host's own). */
  fallbackNextHop?: (family: 4 | 6, localAddress: string | undefined) => string | undefined;
  /** Announce IPv6 unicast capability (default true). */
  ipv6?: boolean;
  /** Set the GR R-bit: this process restarted and peers may hold our stale routes. */
  restarting?: boolean;
  clock: Clock;
  random: () => number;
  log: Logger;
  /** Opens the outgoing connection (default: TCP, connection.ts). */
  dial?: Dial;
  events?: SessionEvents;
  /** Path liveness (BFD) of this peer: gates (re)connecting (liveness-gate.ts). Absent = never gated. */
  liveness?: () => LivenessState;
  /** Bounded wait for liveness before connecting without it (default DEFAULT_LIVENESS_WAIT_MS). */
  livenessWaitMs?: number;
  /** TEST ONLY: a SendHoldTime other than RFC 9687's max(8 minutes, 2 x hold time), for a real-time test. */
  sendHoldTimeMs?: number;
}

export interface SessionEvents {
  established?(s: Session): void;
  down?(s: Session, reason: string): void;
  update?(s: Session, u: UpdateMessage): void;
  notification?(
    s: Session,
    direction: 'sent' | 'received',
    code: number,
    subcode: number,
    text: string,
  ): void;
  updatesSent?(s: Session, n: number): void;
  advertised?(s: Session): void;
  /** RFC 9687: the peer stopped reading for SendHoldTime; the session is being closed. */
  sendHoldExpired?(s: Session): void;
  state?(s: Session, from: string, to: string): void;
}
