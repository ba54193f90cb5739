/**
 * SHELL. Connections the peer opens to us (RFC 4271 §6.8). fsm/collision.ts decides; this
 * file holds a colliding connection until its OPEN names the peer's identifier, and carries
 * out the decision through the session's hooks.
 */
import { type IncomingView, onHeldOpen, onIncoming } from './fsm/collision.ts';
import type { FsmEvent } from './fsm/types.ts';
import type { BgpConnection } from './transport.ts';
import {
  CeaseSubcode,
  type DecodeContext,
  decodeMessage,
  ErrorCode,
  encodeNotification,
  Framer,
  MAX_MESSAGE,
  type OpenMessage,
} from './wire/index.ts';

/** What the session lends to collision handling. */
export interface CollisionHost {
  view(): Omit<IncomingView, 'holding'>;
  current(): BgpConnection | undefined;
  routerId(): string;
  decodeContext(): DecodeContext;
  dispatch(e: FsmEvent): void;
  /** Continue (Active -> OpenSent) on c, replaying the messages already framed. */
  takeOver(c: BgpConnection, framer?: Framer, framed?: Uint8Array[]): void;
  /** A NOTIFICATION was sent on a connection the session does not own. */
  sent(code: number, subcode: number): void;
}

export class Collisions {
  /** An incoming connection held until its OPEN arrives. */
  private pending: BgpConnection | undefined;

  constructor(private readonly host: CollisionHost) {}

  accept(c: BgpConnection): void {
    const decision = onIncoming({ ...this.host.view(), holding: !!this.pending });
    if (decision === 'take-over') this.host.takeOver(c);
    else if (decision === 'hold') this.hold(c);
    else if (decision === 'replace') {
      this.host.dispatch({ type: 'TcpConnectionFails' });
      this.host.takeOver(c);
    } else this.reject(c);
  }

  /** Drops a held connection (the session stops). */
  stop(): void {
    this.pending?.destroy();
    this.pending = undefined;
  }

  private reject(c: BgpConnection): void {
    const code = ErrorCode.Cease;
    const subcode = CeaseSubcode.ConnectionCollisionResolution;
    this.host.sent(code, subcode);
    c.write(encodeNotification({ code, subcode, data: new Uint8Array(0) }));
    c.end();
  }

  private hold(c: BgpConnection): void {
    this.pending = c;
    const drop = () => {
      if (this.pending === c) this.pending = undefined;
    };
    const framer = new Framer(MAX_MESSAGE);
    c.attach({
      connected: () => {},
      closed: drop,
      data: (d) => {
        let msgs: Uint8Array[];
        try {
          msgs = framer.push(d);
        } catch {
          drop();
          c.destroy();
          return;
        }
        if (!msgs.length) return;
        drop();
        let open: ReturnType<typeof decodeMessage>;
        try {
          open = decodeMessage(msgs[0]!, this.host.decodeContext());
        } catch {
          c.destroy();
          return;
        }
        if (open.type !== 'open') {
          c.destroy();
          return;
        }
        this.onOpen(c, open, framer, msgs);
      },
    });
  }

  private onOpen(c: BgpConnection, open: OpenMessage, framer: Framer, msgs: Uint8Array[]): void {
    const ours = this.host.current();
    const decision = onHeldOpen({
      state: this.host.view().state,
      hasConnection: !!ours,
      ourOutgoing: ours?.outgoing,
      localId: this.host.routerId(),
      remoteId: open.bgpId,
    });
    if (decision === 'reject-new') {
      this.reject(c);
      return;
    }
    if (decision === 'drop-dialing') ours?.destroy();
    else if (decision === 'dump-ours') this.host.dispatch({ type: 'OpenCollisionDump' });
    this.host.takeOver(c, framer, msgs);
  }
}
