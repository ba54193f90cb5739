/** interface-choice.ts: the on-link subnet rule, regexes, and the reason naming an IP on no local subnet. */
import { describe, expect, test } from 'bun:test';
import { chooseInterfaces, type LinkFacts } from '../../agent/l2/interface-choice.ts';

const link = (name: string, cidrs: string[], extra: Partial<LinkFacts> = {}): LinkFacts => ({
  name,
  ifindex: 1,
  mac: '02:00:00:00:00:01',
  up: true,
  loopback: false,
  noarp: false,
  addresses: cidrs.map((cidr) => ({ cidr })),
  ...extra,
});

const LINKS = [
  link('lo', ['127.0.0.1/8', '192.168.2.200/32', '::1/128', 'fd00:2::200/128'], {
    loopback: true,
    mac: '00:00:00:00:00:00',
  }),
  link('eth0', ['192.168.2.10/24', 'fd00:2::10/64', 'fe80::1/64']),
  link('eth1', ['10.0.0.10/8', '10.1.0.10/16']),
  link('kube-ipvs0', ['192.168.2.201/32'], { noarp: true }),
  link('wlan0', ['10.2.0.10/16'], { up: false }),
];

describe('chooseInterfaces', () => {
  test('the interface whose subnet contains the IP; lo and host routes do not count', () => {
    expect(chooseInterfaces('192.168.2.200', LINKS)).toEqual({ ok: true, interfaces: ['eth0'] });
    expect(chooseInterfaces('fd00:2::200', LINKS)).toEqual({ ok: true, interfaces: ['eth0'] });
    expect(chooseInterfaces('192.168.2.201', LINKS)).toEqual({ ok: true, interfaces: ['eth0'] });
  });

  test('the longest prefix wins; a down interface is not used', () => {
    expect(chooseInterfaces('10.1.2.3', [...LINKS, link('eth2', ['10.1.2.1/24'])])).toEqual({
      ok: true,
      interfaces: ['eth2'],
    });
    expect(chooseInterfaces('10.2.0.99', LINKS)).toEqual({ ok: true, interfaces: ['eth1'] });
  });

  test('an IP on no local subnet is a reason naming it and what was seen', () => {
    const r = chooseInterfaces('172.16.0.5', LINKS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('no-local-subnet');
    expect(r.message).toContain('172.16.0.5 is on no local subnet');
    expect(r.message).toContain('eth0 192.168.2.0/24');
  });

  test('regexes: every usable matching interface, whatever the subnets; none matching is a reason', () => {
    expect(chooseInterfaces('172.16.0.5', LINKS, [/^eth/])).toEqual({
      ok: true,
      interfaces: ['eth0', 'eth1'],
    });
    expect(chooseInterfaces('172.16.0.5', LINKS, [/^wlan/, /^lo$/])).toMatchObject({
      ok: false,
      code: 'no-matching-interface',
    });
  });

  test('a bad IP is a reason', () => {
    expect(chooseInterfaces('192.168.2.300', LINKS)).toMatchObject({ ok: false, code: 'bad-ip' });
  });
});

test('a pattern with no usable interface at all says so', () => {
  const down = link('eth0', ['192.168.2.10/24'], { up: false });
  expect(chooseInterfaces('192.168.2.200', [down], [/^eth/])).toEqual({
    ok: false,
    code: 'no-matching-interface',
    message: 'no usable interface matches /^eth/ for 192.168.2.200 (usable: none)',
  });
});
