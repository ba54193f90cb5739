/** peer.ts: the defaults and how a peer is dialled. */
import { expect, test } from 'bun:test';
import { dialOptions, PEER_DEFAULTS, peerId, type SessionConfig } from '../../agent/bgp/peer.ts';

const peer: SessionConfig = {
  id: 'p',
  peerAddress: '192.0.2.1',
  peerPort: 179,
  localASN: 65001,
  peerASN: 65000,
  holdTimeSeconds: PEER_DEFAULTS.holdTimeSeconds,
  keepAliveTimeSeconds: PEER_DEFAULTS.keepAliveTimeSeconds,
  connectRetryTimeSeconds: PEER_DEFAULTS.connectRetryTimeSeconds,
  gracefulRestart: PEER_DEFAULTS.gracefulRestart,
  communities: [],
  largeCommunities: [],
};

test('the RFC 4271 defaults, written once', () => {
  expect(PEER_DEFAULTS).toMatchObject({
    peerPort: 179,
    holdTimeSeconds: 90,
    keepAliveTimeSeconds: 30,
    connectRetryTimeSeconds: 120,
  });
  expect(peerId('192.0.2.1', 179)).toBe('192.0.2.1');
  expect(peerId('192.0.2.1', 1179)).toBe('192.0.2.1:1179');
});

test('dialOptions: eBGP TTL 1 (or multihop), none on iBGP, GTSM 255/254, the MD5 key', () => {
  expect(dialOptions(peer)).toEqual({ host: '192.0.2.1', port: 179, ttl: 1 });
  expect(dialOptions({ ...peer, eBGPMultihopTTL: 4 }).ttl).toBe(4);
  expect(dialOptions({ ...peer, peerASN: 65001 }).ttl).toBeUndefined();
  expect(dialOptions({ ...peer, gtsm: true })).toMatchObject({ ttl: 255, minTtl: 254 });
  expect(dialOptions({ ...peer, password: 'k', localAddress: '192.0.2.9' })).toMatchObject({
    password: 'k',
    localAddress: '192.0.2.9',
  });
});
