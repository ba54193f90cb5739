/** The claim rules on a small world: the one sharing check, validity of a held address, explicit claims. */
import { describe, expect, test } from 'bun:test';
import { Allocation } from '../../agent/ipam/allocation.ts';
import {
  claimAuto,
  claimExplicit,
  invalidFor,
  isFailure,
  sharingConflict,
} from '../../agent/ipam/claim-rules.ts';
import { compilePool } from '../../agent/ipam/pools.ts';
import type { Request } from '../../agent/ipam/request.ts';
import { newState, type SvcState } from '../../agent/ipam/service-state.ts';
import type { ServiceView } from '../../agent/ipam/types.ts';
import { pool, svc } from './builders.ts';

const SHARE = 'edgelb.io/sharing-key';

function world(...views: ServiceView[]) {
  const a = new Allocation();
  a.poolsByName.set('p', compilePool(pool('p', ['10.0.0.0/29'])));
  a.reorderPools();
  const states = views.map((v) => {
    const st = newState(v);
    a.svcs.set(v.key, st);
    return st;
  });
  return { a, states };
}

const req = (st: SvcState): Request => {
  if (!st.parsed.ok) throw new Error(st.parsed.message);
  return st.parsed.request;
};

describe('claim rules', () => {
  test('sharingConflict: a holder without the same key refuses; the Service itself never does', () => {
    const { a, states } = world(svc('a'), svc('b'));
    const [sa, sb] = states as [SvcState, SvcState];
    const h = a.create(4, 0x0a000001n);
    a.claim(sa, h);
    expect(sharingConflict(a, sa, req(sa), h)).toBeUndefined();
    expect(sharingConflict(a, sb, req(sb), h)).toMatchObject({ ok: false, reason: 'ip-in-use', kind: 'key' });
  });

  test('sharingConflict: the same key on distinct ports shares; the same port does not', () => {
    const shared = { annotations: { [SHARE]: 'k' } };
    const { a, states } = world(
      svc('a', shared),
      svc('b', { ...shared, ports: [{ port: 443, protocol: 'TCP' }] }),
      svc('c', shared),
    );
    const [sa, sb, sc] = states as [SvcState, SvcState, SvcState];
    const h = a.create(4, 0x0a000001n);
    a.claim(sa, h);
    expect(sharingConflict(a, sb, req(sb), h)).toBeUndefined();
    expect(sharingConflict(a, sc, req(sc), h)).toMatchObject({ reason: 'sharing-conflict', kind: 'ports' });
  });

  test('claimAuto under a sharing key takes the partner address; a conflict is reported with the address', () => {
    const shared = { annotations: { [SHARE]: 'k' } };
    const { a, states } = world(
      svc('a', shared),
      svc('b', { ...shared, ports: [{ port: 443, protocol: 'TCP' }] }),
    );
    const [sa, sb] = states as [SvcState, SvcState];
    const first = claimAuto(a, sa, req(sa), 4);
    if (isFailure(first)) throw new Error(first.message);
    a.claim(sa, first);
    expect(claimAuto(a, sb, req(sb), 4)).toBe(first);
  });

  test('invalidFor: an address outside every pool, and one held by an incompatible Service', () => {
    const { a, states } = world(svc('a'), svc('b'));
    const [sa, sb] = states as [SvcState, SvcState];
    const ip = { family: 4 as const, value: 0x0b000001n };
    expect(invalidFor(a, sa, req(sa), ip, '11.0.0.1', undefined)).toBe('no pool contains it any more');
    const h = a.create(4, 0x0a000002n);
    a.claim(sa, h);
    expect(invalidFor(a, sb, req(sb), h, h.text, h)).toBe('held by default/a');
    expect(invalidFor(a, sa, req(sa), h, h.text, h)).toBeUndefined();
  });

  test('claimExplicit: in no pool, and in use, with the address in the message', () => {
    const { a, states } = world(svc('a'), svc('b'));
    const [sa, sb] = states as [SvcState, SvcState];
    expect(claimExplicit(a, sa, req(sa), { family: 4, value: 0x0b000001n })).toEqual({
      ok: false,
      reason: 'no-pool-for-ip',
      message: '11.0.0.1 is in no pool',
    });
    const h = claimExplicit(a, sa, req(sa), { family: 4, value: 0x0a000003n });
    if (isFailure(h)) throw new Error(h.message);
    a.claim(sa, h);
    expect(claimExplicit(a, sb, req(sb), h)).toEqual({
      ok: false,
      reason: 'ip-in-use',
      message: '10.0.0.3 is held by default/a',
    });
  });
});
