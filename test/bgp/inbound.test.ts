/** inbound.ts: OPEN checks and negotiation, and the FSM events for NOTIFICATIONs, wire errors and refreshes. */
import { describe, expect, test } from 'bun:test';
import { notificationEvent, openReceived, refreshFamily, wireErrorEvent } from '../../agent/bgp/inbound.ts';
import { localCapabilities } from '../../agent/bgp/local-capabilities.ts';
import {
  AFI_IPV4,
  AFI_IPV6,
  ErrorCode,
  type Negotiated,
  OpenSubcode,
  openFor,
  RouteRefreshSubtype,
  SAFI_UNICAST,
  WireError,
} from '../../agent/bgp/wire/index.ts';

const config = {
  id: 'p',
  peerAddress: '192.0.2.1',
  peerPort: 179,
  localASN: 65001,
  peerASN: 65000,
  holdTimeSeconds: 90,
  keepAliveTimeSeconds: 30,
  connectRetryTimeSeconds: 120,
  gracefulRestart: { enabled: true, restartTimeSeconds: 5000 },
  communities: [],
  largeCommunities: [],
};
const local = localCapabilities({
  localASN: 65001,
  ipv6: true,
  gracefulRestart: config.gracefulRestart,
  restarting: false,
  hostname: 'node-a',
});

describe('inbound', () => {
  test('localCapabilities: MP v4+v6, refresh, AS4, extended message, GR (12-bit time), FQDN', () => {
    expect(local.map((c) => c.code)).toEqual([1, 1, 2, 65, 6, 64, 73]);
    expect(local.find((c) => c.code === 64)).toMatchObject({ restartTime: 4095 });
  });

  test('openReceived: a good OPEN negotiates; a wrong AS is the NOTIFICATION', () => {
    const remote = localCapabilities({
      localASN: 65000,
      ipv6: true,
      gracefulRestart: config.gracefulRestart,
      restarting: false,
      hostname: 'node-a',
    });
    const ok = openReceived(openFor(65000, 90, '10.0.0.1', remote), config, '10.0.0.2', local);
    expect(ok).not.toBeInstanceOf(WireError);
    if (ok instanceof WireError) return;
    expect(ok.remoteASN).toBe(65000);
    expect(ok.remoteHostname).toBe('node-a');
    expect(ok.negotiated.families).toEqual(['ipv4', 'ipv6']);
    expect(ok.ctx).toEqual({ as4: true, maxLength: 65535 });
    const bad = openReceived(openFor(64999, 90, '10.0.0.1', []), config, '10.0.0.2', local);
    expect(bad).toBeInstanceOf(WireError);
    expect([(bad as WireError).code, (bad as WireError).subcode]).toEqual([
      ErrorCode.OpenMessage,
      OpenSubcode.BadPeerAS,
    ]);
  });

  test('events: version errors are Event 24; wire errors by code', () => {
    const n = (code: number, subcode: number) => ({
      type: 'notification' as const,
      code,
      subcode,
      data: new Uint8Array(0),
    });
    expect(notificationEvent(n(ErrorCode.OpenMessage, OpenSubcode.UnsupportedVersion)).type).toBe(
      'NotifMsgVerErr',
    );
    expect(notificationEvent(n(ErrorCode.Cease, 2)).type).toBe('NotifMsg');
    expect(wireErrorEvent(new WireError(1, 2, 'x')).type).toBe('BGPHeaderErr');
    expect(wireErrorEvent(new WireError(2, 2, 'x')).type).toBe('BGPOpenMsgErr');
    expect(wireErrorEvent(new WireError(3, 1, 'x')).type).toBe('UpdateMsgErr');
  });

  test('refreshFamily: only a normal refresh of a negotiated unicast family', () => {
    const neg = { families: ['ipv4'] } as unknown as Negotiated;
    const rr = (afi: number, safi: number, subtype: number) => ({
      type: 'route-refresh' as const,
      afi,
      safi,
      subtype,
    });
    expect(refreshFamily(rr(AFI_IPV4, SAFI_UNICAST, RouteRefreshSubtype.Normal), neg)).toBe('ipv4');
    expect(refreshFamily(rr(AFI_IPV6, SAFI_UNICAST, RouteRefreshSubtype.Normal), neg)).toBeUndefined();
    expect(refreshFamily(rr(AFI_IPV4, 2, RouteRefreshSubtype.Normal), neg)).toBeUndefined();
    expect(refreshFamily(rr(AFI_IPV4, SAFI_UNICAST, RouteRefreshSubtype.BoRR), neg)).toBeUndefined();
    expect(refreshFamily(rr(AFI_IPV4, SAFI_UNICAST, RouteRefreshSubtype.Normal), undefined)).toBeUndefined();
  });
});
