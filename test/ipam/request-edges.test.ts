/** Edges of reading a Service's request (agent/ipam/request.ts): empty values, contradiction messages. */
import { expect, test } from 'bun:test';
import { parseRequest } from '../../agent/ipam/request.ts';
import { svc } from './builders.ts';

test('an empty or blank annotation counts as absent, not as a contradiction', () => {
  const r = parseRequest(
    svc('a', { annotations: { 'edgelb.io/ips': '  ', 'metallb.io/loadBalancerIPs': '10.0.0.5' } }),
  );
  expect(r.ok && [r.request.ipTexts, r.request.ipsSource]).toEqual([
    ['10.0.0.5'],
    'metallb.io/loadBalancerIPs',
  ]);
  const p = parseRequest(
    svc('b', { annotations: { 'edgelb.io/pool': '', 'metallb.io/address-pool': 'blue' } }),
  );
  expect(p.ok && p.request.pool).toBe('blue');
});

test('a contradiction quotes both values as written', () => {
  const r = parseRequest(
    svc('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.2', 'edgelb.io/ips': ' 10.0.0.1 ' } }),
  );
  expect(r).toEqual({
    ok: false,
    message:
      'edgelb.io/ips (" 10.0.0.1 ") and metallb.io/loadBalancerIPs ("10.0.0.2") disagree; set only one of them',
  });
});

test('an address of the other family names the Service family', () => {
  const r = parseRequest(svc('a', { ipFamilies: ['IPv6'], annotations: { 'edgelb.io/ips': '10.0.0.1' } }));
  expect(r).toEqual({
    ok: false,
    message: 'edgelb.io/ips asks for 10.0.0.1 but the Service is IPv6 SingleStack',
  });
  const v4 = parseRequest(svc('b', { ipFamilies: ['IPv4'], annotations: { 'edgelb.io/ips': 'fd00::1' } }));
  expect(v4).toEqual({
    ok: false,
    message: 'edgelb.io/ips asks for fd00::1 but the Service is IPv4 SingleStack',
  });
});

test('how many addresses a family policy takes, in words', () => {
  const ask = (ipFamilyPolicy: 'SingleStack' | 'PreferDualStack', ips: string) =>
    parseRequest(
      svc('a', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy, annotations: { 'edgelb.io/ips': ips } }),
    );
  expect(ask('PreferDualStack', '10.0.0.1,fd00::1,10.0.0.2')).toEqual({
    ok: false,
    message: 'edgelb.io/ips lists 10.0.0.1, fd00::1, 10.0.0.2: at most one IPv4 and one IPv6 address',
  });
  expect(ask('SingleStack', '10.0.0.1,fd00::1')).toEqual({
    ok: false,
    message: 'edgelb.io/ips lists two addresses but the Service is SingleStack',
  });
  const ok = ask('PreferDualStack', 'fd00::1,10.0.0.1');
  expect(ok.ok && [ok.request.ipTexts, ok.request.families, ok.request.ipsSource]).toEqual([
    ['10.0.0.1', 'fd00::1'],
    [4, 6],
    'edgelb.io/ips',
  ]);
});

test('ports are port/PROTOCOL, TCP when unset: the same number over TCP and UDP may share', () => {
  const r = (ports: { port: number; protocol: string }[]) => {
    const p = parseRequest(svc('a', { ports }));
    return p.ok ? [...p.request.ports] : [];
  };
  expect(
    r([
      { port: 53, protocol: 'udp' },
      { port: 53, protocol: '' },
      { port: 80, protocol: 'TCP' },
    ]),
  ).toEqual(['53/UDP', '53/TCP', '80/TCP']);
});
