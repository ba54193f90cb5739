/** rib/route-targets.ts and rib/route-attributes.ts: attribute-set keys, and the attributes kept for sent routes. */
import { expect, test } from 'bun:test';
import { routeAttributesKey } from '../../agent/bgp/rib/route-attributes.ts';
import { attributesKeyOf, RouteTargets } from '../../agent/bgp/rib/route-targets.ts';
import { PrefixList } from '../../agent/net/prefix-list.ts';

test('routeAttributesKey: canonical, every field, empty for nothing extra', () => {
  expect(routeAttributesKey({})).toBe('');
  expect(routeAttributesKey({ communities: [], largeCommunities: [], asPathPrepend: 0 })).toBe('');
  expect(
    routeAttributesKey({
      communities: ['65000:2', '65000:1', '65000:2'],
      largeCommunities: ['65000:2:1', '65000:1:1', '65000:1:1'],
      localPreference: 0,
      med: 0,
      asPathPrepend: 2,
    }),
  ).toBe('c=65000:1,65000:2 l=65000:1:1,65000:2:1 lp=0 med=0 pp=2');
  expect(routeAttributesKey({ largeCommunities: ['1:2:3'] })).toBe('l=1:2:3');
});

test('attributesKeyOf: the part after the family', () => {
  expect(attributesKeyOf('ipv4')).toBe('');
  expect(attributesKeyOf('ipv6#pp=1')).toBe('pp=1');
});

test('the attributes of a route still sent stay known after it leaves the desired table', () => {
  const t = new RouteTargets();
  const p = PrefixList.fromTexts(['10.0.0.1/32', '10.0.0.2/32']);
  const a = { communities: ['65000:1'] };
  const changed: string[] = [];
  t.update(p, new Map([['10.0.0.1/32', a]]), new Map(), (x) => changed.push(x));
  expect(changed).toEqual(['10.0.0.1/32']);
  expect(t.target('10.0.0.1/32', 'ipv4')).toBe('ipv4#c=65000:1');
  expect(t.target('10.0.0.2/32', 'ipv4')).toBe('ipv4');
  expect(t.own('ipv4#c=65000:1')).toBe(a);
  expect([t.uses('ipv4'), t.uses('ipv4#c=65000:1'), t.uses('ipv4#c=9:9')]).toEqual([true, true, false]);
  // the route leaves the desired table but is still in the Adj-RIB-Out (with another unknown key)
  const sent = new Map([
    ['10.0.0.1/32', 'ipv4#c=65000:1'],
    ['10.0.0.2/32', 'ipv4'],
    ['10.0.0.3/32', 'ipv4#c=9:9'],
  ]);
  changed.length = 0;
  t.update(p, undefined, sent, (x) => changed.push(x));
  expect(changed).toEqual(['10.0.0.1/32']);
  expect(t.target('10.0.0.1/32', 'ipv4')).toBe('ipv4');
  expect(t.own('ipv4#c=65000:1')).toBe(a);
  expect([t.uses('ipv4'), t.uses('ipv4#c=65000:1'), t.uses('ipv4#c=9:9')]).toEqual([true, true, false]);
  expect(t.own('ipv4#c=9:9')).toBeUndefined();
  expect(t.own('ipv4')).toBeUndefined();
  // once nothing sent uses it, it is forgotten
  t.update(p, undefined, new Map(), () => {});
  expect(t.uses('ipv4#c=65000:1')).toBe(false);
});

test('a desired route with equal attributes in a new object: own() gives the current object', () => {
  const t = new RouteTargets();
  const p = PrefixList.fromTexts(['10.0.0.1/32']);
  const sent = new Map([['10.0.0.1/32', 'ipv4#c=65000:1,65000:2']]);
  t.update(p, new Map([['10.0.0.1/32', { communities: ['65000:2', '65000:1'] }]]), new Map(), () => {});
  const fresh = { communities: ['65000:1', '65000:2'] };
  t.update(p, new Map([['10.0.0.1/32', fresh]]), sent, () => {});
  expect(t.own('ipv4#c=65000:1,65000:2')).toBe(fresh);
});
