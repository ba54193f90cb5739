/** negotiate(): what two OPENs agree on, capability by capability (RFC 5492, 2918, 4760, 4724, 8654). */
import { describe, expect, test } from 'bun:test';
import { type Capability, negotiate } from '../../agent/bgp/wire/index.ts';

const V4: Capability = { code: 1, afi: 1, safi: 1 };
const V6: Capability = { code: 1, afi: 2, safi: 1 };
const GR: Capability = { code: 64, restarting: false, notification: false, restartTime: 120, families: [] };
const FQDN: Capability = { code: 73, hostname: 'node-1', domain: '' };

describe('negotiate', () => {
  test('route refresh: we advertise it and the peer sends code 2 or the pre-standard 128', () => {
    expect(negotiate([{ code: 2 }], [{ code: 2 }]).routeRefresh).toBe(true);
    expect(negotiate([{ code: 2 }], [{ code: 128 }]).routeRefresh).toBe(true);
    expect(negotiate([{ code: 2 }], [{ code: 2 }, { code: 128 }]).routeRefresh).toBe(true);
    expect(negotiate([{ code: 2 }], []).routeRefresh).toBe(false);
    expect(negotiate([], [{ code: 2 }, { code: 128 }]).routeRefresh).toBe(false);
  });

  test('extended message only when both sides send it', () => {
    expect(negotiate([{ code: 6 }], [{ code: 6 }]).extendedMessage).toBe(true);
    expect(negotiate([{ code: 6 }], []).extendedMessage).toBe(false);
    expect(negotiate([], [{ code: 6 }]).extendedMessage).toBe(false);
  });

  test('families: the intersection; no MP capability on a side means IPv4 unicast', () => {
    expect(negotiate([V4, V6], [V4, V6]).families).toEqual(['ipv4', 'ipv6']);
    expect(negotiate([V4, V6], [V6]).families).toEqual(['ipv6']);
    expect(negotiate([V4, V6], []).families).toEqual(['ipv4']);
    expect(negotiate([], [V6]).families).toEqual([]);
    // a multicast or unknown-AFI MP capability is not a unicast family
    expect(negotiate([V4], [{ code: 1, afi: 1, safi: 2 }]).families).toEqual([]);
    expect(negotiate([V4], [V4, { code: 1, afi: 25, safi: 1 }]).families).toEqual(['ipv4']);
    // an unparsed MP capability does not count as one
    expect(negotiate([V4], [{ code: 1, raw: new Uint8Array([0, 2]), unknown: true }]).families).toEqual([
      'ipv4',
    ]);
  });

  test('graceful restart: ours and the peer’s; the peer’s capability is kept', () => {
    const both = negotiate([GR], [GR]);
    expect(both.gracefulRestart).toBe(true);
    expect(both.peerGracefulRestart).toEqual(GR);
    expect(negotiate([], [GR]).gracefulRestart).toBe(false);
    expect(negotiate([], [GR]).peerGracefulRestart).toEqual(GR);
    expect(negotiate([GR], []).gracefulRestart).toBe(false);
    expect(negotiate([GR], []).peerGracefulRestart).toBeUndefined();
    expect(negotiate([GR], [{ code: 64, raw: new Uint8Array([0xff]), unknown: true }]).gracefulRestart).toBe(
      false,
    );
  });

  test('an unparsed capability counts for nothing', () => {
    const raw = (code: number): Capability => ({ code, raw: new Uint8Array([1]), unknown: true });
    const n = negotiate([{ code: 2 }, { code: 6 }, { code: 65, asn: 1 }], [raw(2), raw(6), raw(65)]);
    expect([n.routeRefresh, n.extendedMessage, n.as4]).toEqual([false, false, false]);
  });

  test('names list what was agreed, in a fixed order', () => {
    const all: Capability[] = [V4, V6, { code: 2 }, { code: 65, asn: 65001 }, GR, { code: 6 }, FQDN];
    expect(negotiate(all, all).names).toEqual([
      'mp-ipv4-unicast',
      'mp-ipv6-unicast',
      'route-refresh',
      '4-octet-as',
      'graceful-restart',
      'extended-message',
      'hostname',
    ]);
    expect(negotiate(all, [V4]).names).toEqual(['mp-ipv4-unicast']);
    expect(negotiate([V4], all).names).toEqual(['mp-ipv4-unicast']);
    expect(negotiate([FQDN], [FQDN]).names).toEqual(['mp-ipv4-unicast', 'hostname']);
    expect(negotiate([FQDN], []).names).toEqual(['mp-ipv4-unicast']);
  });
});
