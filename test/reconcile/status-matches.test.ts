/** statusMatches: each part of the written status must match the result for the write to be skipped. */
import { expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { ServiceResult } from '../../agent/ipam/types.ts';
import { serviceStatus, statusMatches } from '../../agent/reconcile/plan/service-status.ts';

const ok: ServiceResult = { key: 'd/a', ok: true, ips: ['10.0.0.1'], pools: ['p'], pool: 'p', message: 'm' };
const failed: ServiceResult = { key: 'd/a', ok: false, reason: 'pool-exhausted', message: 'full' };
const base: ServiceObject = { metadata: { name: 'a', namespace: 'd' }, spec: { type: 'LoadBalancer' } };

/** The Service as it looks after writing `r`'s status, then edited by `edit`. */
function written(r: ServiceResult, edit: (c: Record<string, unknown>) => void = () => {}): ServiceObject {
  const w = serviceStatus(base, r);
  const condition = { ...w.condition, lastTransitionTime: '2026-01-01T00:00:00Z' } as Record<string, unknown>;
  edit(condition);
  return {
    ...base,
    status: { loadBalancer: { ingress: w.ips.map((ip) => ({ ip })) }, conditions: [condition as never] },
  };
}

test('the status written for a result matches it; any one differing part does not', () => {
  for (const r of [ok, failed]) {
    expect(statusMatches(written(r), r)).toBe(true);
    expect(
      statusMatches(
        written(r, (c) => (c.status = r.ok ? 'False' : 'True')),
        r,
      ),
    ).toBe(false);
    expect(
      statusMatches(
        written(r, (c) => (c.reason = 'Other')),
        r,
      ),
    ).toBe(false);
    expect(
      statusMatches(
        written(r, (c) => (c.message = 'other')),
        r,
      ),
    ).toBe(false);
    expect(
      statusMatches(
        written(r, (c) => (c.type = 'other')),
        r,
      ),
    ).toBe(false);
  }
  expect(statusMatches(written(ok), { ...ok, ips: ['10.0.0.2'] })).toBe(false);
  expect(statusMatches(written(ok), { ...ok, ips: ['10.0.0.1', 'fd00::1'] })).toBe(false);
  expect(statusMatches(written(ok), failed)).toBe(false);
  expect(statusMatches(base, ok)).toBe(false);
});
