/** A Service's status condition and Events, from its IPAM result. */
import { describe, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import type { ServiceResult } from '../../agent/ipam/types.ts';
import {
  eventKind,
  serviceEvents,
  serviceStatus,
  statusMatches,
} from '../../agent/reconcile/plan/service-status.ts';

const ok: ServiceResult = {
  key: 'd/a',
  ok: true,
  ips: ['10.0.0.1'],
  pools: ['p'],
  pool: 'p',
  message: '10.0.0.1 from pool p',
};
const failed: ServiceResult = {
  key: 'd/a',
  ok: false,
  reason: 'pool-exhausted',
  message: 'pool p has no free IPv4 address',
};
const svc: ServiceObject = {
  metadata: { name: 'a', namespace: 'd', generation: 3 },
  spec: { type: 'LoadBalancer' },
};

describe('service status', () => {
  const cases: [string, ServiceResult, string[], string[]][] = [
    ['first allocation', ok, [], ['Allocated/Normal: Assigned 10.0.0.1 from pool p']],
    ['unchanged allocation', ok, ['10.0.0.1'], []],
    [
      'allocation that replaced an address',
      { ...ok, replaced: { ips: ['10.0.0.9'], why: '10.0.0.9: held by d/old' } },
      ['10.0.0.9'],
      [
        'Allocated/Normal: Assigned 10.0.0.1 from pool p',
        'Conflict/Warning: Replaced 10.0.0.9: 10.0.0.9: held by d/old',
      ],
    ],
    ['failure with nothing held', failed, [], ['PoolExhausted/Warning: pool p has no free IPv4 address']],
    [
      'failure that released an address',
      failed,
      ['10.0.0.1'],
      [
        'Released/Warning: Released 10.0.0.1: pool p has no free IPv4 address',
        'PoolExhausted/Warning: pool p has no free IPv4 address',
      ],
    ],
  ];
  for (const [name, r, before, want] of cases)
    test(name, () => {
      expect(serviceEvents(r, before).map((e) => `${e.kind}/${e.type}: ${e.message}`)).toEqual(want);
    });

  test('event kinds by reason: the condition reason (one vocabulary, issue 16)', () => {
    expect(eventKind('no-pool-for-ip')).toBe('NoPoolForIp');
    expect(eventKind('sharing-conflict')).toBe('SharingConflict');
    expect(eventKind('dual-stack-unavailable')).toBe('DualStackUnavailable');
  });

  test('the written status matches itself, and differs from another result', () => {
    const s = serviceStatus(svc, failed);
    expect(s).toMatchObject({
      ips: [],
      condition: { status: 'False', reason: 'PoolExhausted', observedGeneration: 3 },
    });
    const written: ServiceObject = {
      ...svc,
      status: { conditions: [{ ...s.condition, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    };
    expect(statusMatches(written, failed)).toBe(true);
    expect(statusMatches(written, ok)).toBe(false);
  });
});
