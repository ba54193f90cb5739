/**
 * SHELL. A passive route collector: accepts a BGP session from any peer (any ASN), and
 * reports every announce and withdraw it receives. Used by `edgelb bgp listen`, the demo
 * and the tests. It announces nothing.
 */
import net from 'node:net';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { Connection } from './connection.ts';
import { PEER_DEFAULTS } from './peer.ts';
import { Session } from './session.ts';
import {
  AFI_IPV4,
  AFI_IPV6,
  AS_TRANS,
  type ASPathSegment,
  CeaseSubcode,
  ErrorCode,
  formatAddress,
  formatCommunity,
  formatLargeCommunity,
  type UpdateMessage,
} from './wire/index.ts';

export interface RouteEvent {
  event: 'announce' | 'withdraw' | 'established' | 'down';
  peer: string;
  prefix?: string;
  nextHop?: string;
  asPath?: number[];
  communities?: string[];
  largeCommunities?: string[];
  localPref?: number;
  peerASN?: number;
  reason?: string;
}

export interface CollectorOptions {
  asn: number;
  routerId: string;
  listen: { address: string; port: number };
  holdTimeSeconds?: number;
  clock: Clock;
  random: () => number;
  log: Logger;
  onEvent(e: RouteEvent): void;
}

/** AS path as a flat list; AS4_PATH merged in when the peer is 2-octet only (RFC 6793 §4.2.3). */
export function flatASPath(as: ASPathSegment[] | undefined, as4: ASPathSegment[] | undefined): number[] {
  const flat = (segs: ASPathSegment[] | undefined) => (segs ?? []).flatMap((s) => s.asns);
  const a = flat(as);
  const b = flat(as4);
  if (!b.length || !a.includes(AS_TRANS) || b.length > a.length) return a;
  return [...a.slice(0, a.length - b.length), ...b];
}

export function routeEvents(peer: string, u: UpdateMessage): RouteEvent[] {
  const out: RouteEvent[] = [];
  const a = u.attributes;
  for (const p of u.withdrawn) out.push({ event: 'withdraw', peer, prefix: p });
  for (const p of a.mpUnreach?.withdrawn ?? []) out.push({ event: 'withdraw', peer, prefix: p });
  const common = (nextHop: string | undefined): Omit<RouteEvent, 'event' | 'peer' | 'prefix'> => ({
    ...(nextHop ? { nextHop } : {}),
    asPath: flatASPath(a.asPath, a.as4Path),
    communities: (a.communities ?? []).map(formatCommunity),
    largeCommunities: (a.largeCommunities ?? []).map(formatLargeCommunity),
    ...(a.localPref !== undefined ? { localPref: a.localPref } : {}),
  });
  // RFC 7606 treat-as-withdraw: the announced prefixes count as withdrawn.
  const kind = u.error ? 'withdraw' : 'announce';
  for (const p of u.nlri)
    out.push(
      kind === 'announce'
        ? { event: kind, peer, prefix: p, ...common(a.nextHop) }
        : { event: kind, peer, prefix: p },
    );
  if (a.mpReach) {
    const nh = a.mpReach.nextHop;
    const nextHop =
      nh.length === 4
        ? formatAddress(AFI_IPV4, nh)
        : nh.length >= 16
          ? formatAddress(AFI_IPV6, nh)
          : undefined;
    for (const p of a.mpReach.nlri)
      out.push(
        kind === 'announce'
          ? { event: kind, peer, prefix: p, ...common(nextHop) }
          : { event: kind, peer, prefix: p },
      );
  }
  return out;
}

export class Collector {
  private server: net.Server;
  private sessions = new Set<Session>();

  constructor(private readonly o: CollectorOptions) {
    this.server = net.createServer((socket) => this.onAccept(socket));
  }

  listen(): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.listen.port, this.o.listen.address, () => {
        const a = this.server.address() as net.AddressInfo;
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  private onAccept(socket: net.Socket): void {
    const remote = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const s: Session = new Session(
      {
        id: remote,
        peerAddress: remote,
        peerPort: socket.remotePort ?? 0,
        localASN: this.o.asn,
        holdTimeSeconds: this.o.holdTimeSeconds ?? PEER_DEFAULTS.holdTimeSeconds,
        keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
        connectRetryTimeSeconds: PEER_DEFAULTS.connectRetryTimeSeconds,
        gracefulRestart: {
          enabled: true,
          restartTimeSeconds: PEER_DEFAULTS.gracefulRestart.restartTimeSeconds,
        },
        passive: true,
        // A collector listening on loopback receives loopback next hops (the demo); elsewhere they stay martians.
        acceptLoopbackNextHop: isLoopback(this.o.listen.address),
        communities: [],
        largeCommunities: [],
      },
      {
        routerId: this.o.routerId,
        clock: this.o.clock,
        random: this.o.random,
        log: this.o.log.child({ peer: remote }),
        events: {
          established: (x) =>
            this.o.onEvent({ event: 'established', peer: remote, peerASN: x.remoteASN ?? 0 }),
          down: (_x, reason) => this.o.onEvent({ event: 'down', peer: remote, reason }),
          // One session per accepted connection: once it is over, forget it.
          state: (_x, _from, to) => {
            if (to !== 'Idle' || !this.sessions.has(s)) return;
            this.sessions.delete(s);
            s.stop();
          },
          update: (_x, u) => {
            for (const e of routeEvents(remote, u)) this.o.onEvent(e);
          },
        },
      },
    );
    this.sessions.add(s);
    s.start();
    s.accept(new Connection(socket, false, this.o.clock));
  }

  /** Sessions currently open (tests, diagnostics). */
  get size(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    for (const s of this.sessions)
      s.stop({
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.AdministrativeShutdown,
        data: new Uint8Array(0),
      });
    this.sessions.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === 'localhost';
}
