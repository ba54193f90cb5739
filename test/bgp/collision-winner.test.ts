/** collisionWinner (RFC 4271 §6.8): BGP Identifiers compared as unsigned 32-bit integers, every octet weighed. */
import { expect, test } from 'bun:test';
import { collisionWinner } from '../../agent/bgp/fsm/collision.ts';

test.each([
  // [local, remote, winner]: the higher identifier keeps the connection it initiated
  ['10.0.0.2', '10.0.0.1', 'outgoing'],
  ['10.0.0.1', '10.0.0.2', 'incoming'],
  ['10.0.0.1', '10.0.0.1', 'incoming'],
  ['10.0.1.0', '10.0.0.255', 'outgoing'],
  ['10.0.0.255', '10.0.1.0', 'incoming'],
  ['10.1.0.0', '10.0.255.255', 'outgoing'],
  ['10.0.255.255', '10.1.0.0', 'incoming'],
  ['11.0.0.0', '10.255.255.255', 'outgoing'],
  ['10.255.255.255', '11.0.0.0', 'incoming'],
  // above 127.x the sign bit is set: still unsigned
  ['200.0.0.1', '100.0.0.1', 'outgoing'],
  ['100.0.0.1', '200.0.0.1', 'incoming'],
  ['255.255.255.255', '0.0.0.1', 'outgoing'],
  ['128.0.0.0', '127.255.255.255', 'outgoing'],
  ['0.0.0.2', '0.0.0.1', 'outgoing'],
  ['0.0.2.0', '0.0.1.255', 'outgoing'],
  ['0.2.0.0', '0.1.255.255', 'outgoing'],
  ['2.0.0.0', '1.255.255.255', 'outgoing'],
] as const)('local %s, remote %s: %s wins', (local, remote, winner) => {
  expect(collisionWinner(local, remote)).toBe(winner);
});
