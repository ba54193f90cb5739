/**
 * PURE. What a session's state change means for a BFD client (the BGP coupling):
 *
 * - `up`: the session reached Up.
 * - `down`: it left Up because the path failed (Detection Time expired, or the peer
 *   signalled Down). `remote` is true when the peer said so (diagnostic 3).
 * - `adminDown`: it left Up because the peer went AdminDown (RFC 5882 §3.2: not a path
 *   failure, the client session must stay up), or a local AdminDown was requested.
 *
 * A session that was never Up reports nothing on Down (no spurious Up->Down, trap 20).
 */
import { type DiagnosticCode, diagnosticName } from './diagnostic.ts';
import type { BfdAction } from './fsm.ts';

export type BfdManagerEvent =
  | { type: 'up'; peer: string }
  | { type: 'down'; peer: string; diagnostic: DiagnosticCode; diagnosticName: string; remote: boolean }
  | { type: 'adminDown'; peer: string; remote: boolean };

/** A state change as the FSM reports it (session.ts's StateChange). */
type StateChange = Extract<BfdAction, { type: 'stateChange' }>;

/** What a state change means for a client (the BGP coupling). */
export function eventFor(peer: string, c: StateChange): BfdManagerEvent | undefined {
  if (c.to === 'Up') return { type: 'up', peer };
  if (c.cause === 'local-admin' && c.to === 'AdminDown') return { type: 'adminDown', peer, remote: false };
  // Down->Down, Init->Down and the initial Down are not failures of a working session (trap 20).
  if (c.from !== 'Up') return undefined;
  // RFC 5882 §3.2: the peer's AdminDown is not a path failure.
  if (c.cause === 'neighbor-admin-down') return { type: 'adminDown', peer, remote: true };
  return {
    type: 'down',
    peer,
    diagnostic: c.diagnostic,
    diagnosticName: diagnosticName(c.diagnostic),
    remote: c.cause === 'neighbor-signaled-down',
  };
}
