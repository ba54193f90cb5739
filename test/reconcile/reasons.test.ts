/**
 * One reason vocabulary (issue 16): every IPAM failure has one CamelCase reason, and the
 * Service condition, its Warning Event and the edgelb_ipam_errors_total label all come from
 * the one table (reasons.ts).
 */
import { describe, expect, test } from 'bun:test';
import type { FailureReason, ServiceResult } from '../../agent/ipam/types.ts';
import { FAILURE_REASONS } from '../../agent/reconcile/plan/reasons.ts';
import { eventKind, serviceEvents, serviceStatus } from '../../agent/reconcile/plan/service-status.ts';

const svc = { metadata: { name: 'a', namespace: 'd' }, spec: { type: 'LoadBalancer' } } as const;

describe('reason vocabulary', () => {
  const all = Object.keys(FAILURE_REASONS) as FailureReason[];
  test('CamelCase, one per failure, all distinct', () => {
    const names = all.map((r) => FAILURE_REASONS[r]);
    for (const n of names) expect(n).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(new Set(names).size).toBe(all.length);
  });
  for (const r of all)
    test(`${r}: condition reason = Event reason = ${FAILURE_REASONS[r]}`, () => {
      const failed: ServiceResult = { key: 'd/a', ok: false, reason: r, message: 'why' };
      expect(serviceStatus(svc as never, failed).condition.reason).toBe(FAILURE_REASONS[r]);
      expect(eventKind(r)).toBe(FAILURE_REASONS[r]);
      expect(serviceEvents(failed, []).map((e) => e.kind)).toEqual([FAILURE_REASONS[r]]);
    });
});
