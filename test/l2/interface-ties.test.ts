/** interface-choice.ts: equal prefixes on several interfaces, an empty pattern list, a zero MAC. */
import { expect, test } from 'bun:test';
import { chooseInterfaces, type LinkFacts, usable } from '../../agent/l2/interface-choice.ts';

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

test('the same subnet on two interfaces: both answer, sorted, each named once', () => {
  const links = [
    link('eth1', ['192.168.2.11/24', '192.168.2.12/24']),
    link('eth0', ['192.168.2.10/24']),
    link('eth2', ['192.168.0.10/16']),
  ];
  expect(chooseInterfaces('192.168.2.200', links)).toEqual({ ok: true, interfaces: ['eth0', 'eth1'] });
});

test('an empty pattern list is no pattern list: the subnet rule applies', () => {
  const links = [link('eth0', ['192.168.2.10/24']), link('eth1', ['10.0.0.1/8'])];
  expect(chooseInterfaces('192.168.2.200', links, [])).toEqual({ ok: true, interfaces: ['eth0'] });
});

test('usable: up, not loopback, ARP on, a real MAC', () => {
  expect(usable(link('eth0', []))).toBe(true);
  expect(usable(link('eth0', [], { mac: '' }))).toBe(false);
  expect(usable(link('eth0', [], { mac: '00:00:00:00:00:00' }))).toBe(false);
  expect(usable(link('eth0', [], { noarp: true }))).toBe(false);
  expect(usable(link('eth0', [], { up: false }))).toBe(false);
  expect(usable(link('eth0', [], { loopback: true }))).toBe(false);
});

test('an IP on no subnet of its family names what was seen', () => {
  expect(chooseInterfaces('fd00::1', [link('eth0', ['192.168.2.10/24'])])).toEqual({
    ok: false,
    code: 'no-local-subnet',
    message: 'fd00::1 is on no local subnet (no usable IPv6 subnet)',
  });
  expect(chooseInterfaces('10.0.0.1', [link('eth0', ['192.168.2.10/24'])])).toEqual({
    ok: false,
    code: 'no-local-subnet',
    message: '10.0.0.1 is on no local subnet (eth0 192.168.2.0/24)',
  });
});

test('a host address (/32, /128) on a usable interface is not a subnet to answer on', () => {
  const links = [
    link('dummy0', ['192.168.2.200/32', 'fd00:2::200/128']),
    link('eth0', ['192.168.2.10/24', 'fd00:2::10/64']),
  ];
  expect(chooseInterfaces('192.168.2.200', links)).toEqual({ ok: true, interfaces: ['eth0'] });
  expect(chooseInterfaces('fd00:2::200', links)).toEqual({ ok: true, interfaces: ['eth0'] });
});
