/** SHELL. One peer's row in /status: the speaker's view of a session (state, uptime, counters, errors). */
import type { PeerConfig } from './peer.ts';
import type { Session } from './session.ts';

export interface PeerStatus {
  id: string;
  address: string;
  port: number;
  localASN: number;
  peerASN: number;
  state: 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
  uptimeSeconds: number;
  advertised: number;
  holdTimeSeconds?: number;
  capabilities: string[];
  messagesIn: number;
  messagesOut: number;
  lastNotificationSent?: string;
  lastNotificationReceived?: string;
  /** The connect is held until BFD is Up (bounded wait). */
  waitingForBfd?: boolean;
  /** The peer never answered BFD within the bounded wait: BGP runs without it. */
  bfdProblem?: string;
  /** Why the session is not Established, and since when (ISO time); absent when Established. */
  lastError?: { message: string; at: string };
  /** Prefixes this peer should get but cannot, for want of a next hop of their family. */
  unannounceable?: string[];
  /** Prefixes whose change waits for the peer's socket (absent when none). */
  outputPending?: number;
  /** Times the RFC 9687 send-hold timer ended this session (absent when never). */
  sendHoldExpiries?: number;
}

/** The status of peer p's session s; optional fields only when they say something. */
export function peerStatus(p: PeerConfig, s: Session): PeerStatus {
  const st: PeerStatus = {
    id: p.id,
    address: p.peerAddress,
    port: p.peerPort,
    localASN: p.localASN,
    peerASN: p.peerASN,
    state: s.state,
    // monotonic: a step of the wall clock neither resets nor inflates it
    uptimeSeconds: Math.floor(s.establishedForMs / 1000),
    advertised: s.adjRibOut.size,
    capabilities: s.negotiated?.names ?? [],
    messagesIn: s.messagesIn,
    messagesOut: s.messagesOut,
  };
  if (s.holdTime !== undefined) st.holdTimeSeconds = s.holdTime;
  if (s.lastNotificationSent) st.lastNotificationSent = s.lastNotificationSent;
  if (s.lastNotificationReceived) st.lastNotificationReceived = s.lastNotificationReceived;
  if (s.waitingForLiveness) st.waitingForBfd = true;
  if (s.livenessProblem) st.bfdProblem = s.livenessProblem;
  const err = s.lastError;
  if (err) st.lastError = { message: err.message, at: new Date(err.at).toISOString() };
  if (s.unannounceable.length) st.unannounceable = [...s.unannounceable];
  if (s.pendingChanges) st.outputPending = s.pendingChanges;
  if (s.sendHoldExpiries) st.sendHoldExpiries = s.sendHoldExpiries;
  return st;
}
