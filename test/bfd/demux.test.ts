/** bfd/demux.ts: which session a datagram belongs to, or the exact reason it is discarded. */
import { expect, test } from 'bun:test';
import { type Routable, routeDatagram } from '../../agent/bfd/demux.ts';
import { encodeControl } from '../../agent/bfd/packet.ts';
import { controlPacket } from './control-packet.ts';

/** An Up packet, or Down with Your Discriminator 0 (the only state allowed without one, RFC 5880 §6.8.6). */
const packet = (your: number): Uint8Array =>
  encodeControl(
    controlPacket({ state: your === 0 ? 'Down' : 'Up', myDiscriminator: 7, yourDiscriminator: your }),
  );

const single: Routable & { name: string } = {
  name: 'single',
  spec: { peer: '192.0.2.1', local: '192.0.2.10', profile: { minimumTtl: 254 } },
};
const multi: Routable & { name: string } = {
  name: 'multi',
  spec: { peer: '198.51.100.1', multihop: true, profile: { minimumTtl: 250 } },
};
const byDiscr = new Map([
  [11, single],
  [22, multi],
]);
const byPeer = new Map([
  ['192.0.2.1', single],
  ['198.51.100.1', multi],
]);

test.each<[string, { your: number; peer: string; local?: string; ttl: number; multihop: boolean }, string]>([
  [
    'single hop by discriminator',
    { your: 11, peer: '192.0.2.1', local: '192.0.2.10', ttl: 255, multihop: false },
    'single',
  ],
  [
    'single hop by peer (Your Discriminator 0)',
    { your: 0, peer: '192.0.2.1', ttl: 255, multihop: false },
    'single',
  ],
  ['single hop, TTL 254', { your: 11, peer: '192.0.2.1', ttl: 254, multihop: false }, 'bad-ttl'],
  [
    'unknown discriminator',
    { your: 99, peer: '192.0.2.1', ttl: 255, multihop: false },
    'unknown-your-discriminator',
  ],
  [
    'a known discriminator from another address',
    { your: 11, peer: '192.0.2.2', ttl: 255, multihop: false },
    'address-mismatch',
  ],
  [
    'a single-hop discriminator arriving multihop',
    { your: 11, peer: '192.0.2.1', ttl: 255, multihop: true },
    'address-mismatch',
  ],
  [
    'a multihop discriminator arriving single hop',
    { your: 22, peer: '198.51.100.1', ttl: 255, multihop: false },
    'address-mismatch',
  ],
  ['no discriminator, unknown peer', { your: 0, peer: '192.0.2.9', ttl: 255, multihop: false }, 'no-session'],
  [
    'no discriminator, the single-hop peer arriving multihop',
    { your: 0, peer: '192.0.2.1', ttl: 255, multihop: true },
    'no-session',
  ],
  [
    'no discriminator, the multihop peer arriving single hop',
    { your: 0, peer: '198.51.100.1', ttl: 255, multihop: false },
    'no-session',
  ],
  [
    'to another local address',
    { your: 11, peer: '192.0.2.1', local: '192.0.2.99', ttl: 255, multihop: false },
    'address-mismatch',
  ],
  [
    'local address unknown: not checked',
    { your: 11, peer: '192.0.2.1', local: '', ttl: 255, multihop: false },
    'single',
  ],
  ['multihop at the minimum TTL', { your: 22, peer: '198.51.100.1', ttl: 250, multihop: true }, 'multi'],
  ['multihop by peer, TTL 251', { your: 0, peer: '198.51.100.1', ttl: 251, multihop: true }, 'multi'],
  [
    'multihop one below the minimum TTL',
    { your: 22, peer: '198.51.100.1', ttl: 249, multihop: true },
    'bad-ttl',
  ],
  [
    'multihop from any local address (none configured)',
    { your: 22, peer: '198.51.100.1', local: '10.0.0.1', ttl: 255, multihop: true },
    'multi',
  ],
])('%s', (_, d, want) => {
  const r = routeDatagram(
    { bytes: packet(d.your), peer: d.peer, local: d.local ?? '', ttl: d.ttl, multihop: d.multihop },
    byDiscr,
    byPeer,
  );
  expect(typeof r === 'string' ? r : r.entry.name).toBe(want);
  if (typeof r !== 'string') expect(r.packet.yourDiscriminator).toBe(d.your);
});

test('a datagram the reception checks refuse keeps their reason', () => {
  expect(
    routeDatagram(
      { bytes: packet(11).slice(0, 20), peer: '192.0.2.1', local: '', ttl: 255, multihop: false },
      byDiscr,
      byPeer,
    ),
  ).toBe('truncated');
});
