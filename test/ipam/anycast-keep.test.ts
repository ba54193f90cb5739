/**
 * The upgrade note of issue 16: a Service holding an IPv6 pool's subnet-router anycast address
 * gets another IP (the reason says why) unless the pool sets allowFirstLastIPs: true.
 */
import { expect, test } from 'bun:test';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { pool, svc } from './builders.ts';

const holder = () => [svc('old', { ipFamilies: ['IPv6'], statusIPs: ['fd00:50::'] })];

test('held subnet-router anycast address: replaced by default, kept with allowFirstLastIPs', () => {
  const moved = new Ipam().restore([pool('p', ['fd00:50::/64'])], holder());
  expect(moved[0]).toMatchObject({ ok: true, ips: ['fd00:50::1'], replaced: { ips: ['fd00:50::'] } });
  const kept = new Ipam().restore([pool('p', ['fd00:50::/64'], { allowFirstLastIPs: true })], holder());
  expect(kept[0]).toMatchObject({ ok: true, ips: ['fd00:50::'] });
  expect(kept[0]).not.toHaveProperty('replaced');
});
