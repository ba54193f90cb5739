/**
 * Issue 19: a peer that does not advertise the 4-octet AS capability (older routers; FRR,
 * BIRD and ExaBGP all advertise it, so no interop test covers this) must receive 2-octet
 * AS_PATHs: AS_TRANS in AS_PATH and our real ASN in AS4_PATH (RFC 6793 §4.2.2).
 */
import { expect, test } from 'bun:test';
import { PEER_DEFAULTS } from '../../agent/bgp/peer.ts';
import { Session } from '../../agent/bgp/session.ts';
import {
  AS_TRANS,
  decodeMessage,
  encodeKeepalive,
  encodeOpen,
  Framer,
  type Message,
  openFor,
} from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';
import { pipe } from './pipe.ts';

const LOCAL_ASN = 4_200_000_001;
const PEER_ASN = 65000;

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

test('a peer without 4-octet AS receives AS_PATH [AS_TRANS] and AS4_PATH [our ASN]', async () => {
  const clock = new FakeClock();
  const frames: Uint8Array[] = [];
  let peer: ReturnType<typeof pipe>[1] | undefined;
  const s = new Session(
    {
      id: 'old-router',
      peerAddress: '192.0.2.1',
      peerPort: 179,
      localASN: LOCAL_ASN,
      peerASN: PEER_ASN,
      holdTimeSeconds: PEER_DEFAULTS.holdTimeSeconds,
      keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
      connectRetryTimeSeconds: 120,
      gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
      communities: [],
      largeCommunities: [],
    },
    {
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      dial: (_o, handlers) => {
        const [local, remote] = pipe();
        local.attach(handlers);
        const framer = new Framer(4096);
        remote.attach({
          connected: () => {},
          data: (d) => frames.push(...framer.push(d).map((f) => f.slice())),
          closed: () => {},
        });
        peer = remote;
        local.connect();
        return local;
      },
    },
  );
  s.setDesired(PrefixList.fromTexts(['198.51.100.1/32']));
  s.start();
  // The session decodes as a 2-octet speaker would: as4 false.
  const seen = (): Message[] => frames.map((f) => decodeMessage(f, { as4: false, maxLength: 4096 }));
  for (let i = 0; i < 100 && !seen().some((m) => m.type === 'open'); i++) {
    clock.advance(10);
    await settle();
  }
  const open = seen().find((m) => m.type === 'open');
  expect(open?.type === 'open' && open.myAS).toBe(AS_TRANS);
  // An older router: IPv4 unicast only, no capabilities at all.
  peer?.write(encodeOpen(openFor(PEER_ASN, 90, '10.255.0.1', [])));
  peer?.write(encodeKeepalive());
  const announce = () =>
    seen().find((m) => m.type === 'update' && m.nlri.includes('198.51.100.1/32')) as
      | Extract<Message, { type: 'update' }>
      | undefined;
  for (let i = 0; i < 100 && !announce(); i++) {
    clock.advance(10);
    await settle();
  }
  expect(s.state).toBe('Established');
  const u = announce();
  expect(u?.error).toBeUndefined();
  expect(u?.attributes.asPath).toEqual([{ type: 2, asns: [AS_TRANS] }]);
  expect(u?.attributes.as4Path).toEqual([{ type: 2, asns: [LOCAL_ASN] }]);
  await s.stop();
});
