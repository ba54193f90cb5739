/**
 * PURE. A pool's Kubernetes status (Ready, Conflict, Exhausted conditions and the figures) built
 * from what the IPAM says of it (PoolFacts).
 */
import type { PoolFacts, PoolState } from '../../ipam/types.ts';

export type PoolConditionType = 'Ready' | 'Conflict' | 'Exhausted';

export interface PoolCondition {
  type: PoolConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface PoolResult {
  name: string;
  /** Decimal strings: an IPv6 pool exceeds 2^53. */
  total: string;
  used: string;
  available: string;
  conditions: PoolCondition[];
  /** Addresses held for deleted Services (absent when none). */
  held?: number;
}

const READY_REASON: Record<PoolState, string> = {
  ready: 'Ready',
  conflict: 'Conflict',
  invalid: 'Invalid',
  disabled: 'Disabled',
};

export function poolConditions(f: PoolFacts): PoolCondition[] {
  const ready = f.state === 'ready';
  return [
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: READY_REASON[f.state],
      message: ready ? 'the pool allocates addresses' : `the pool ${f.why}; existing allocations stay`,
    },
    f.conflict !== undefined
      ? { type: 'Conflict', status: 'True', reason: 'BlocksOverlap', message: f.conflict }
      : {
          type: 'Conflict',
          status: 'False',
          reason: 'NoOverlap',
          message: 'no block overlaps an older pool',
        },
    f.available === '0'
      ? {
          type: 'Exhausted',
          status: 'True',
          reason: 'NoFreeAddress',
          message: `all ${f.total} addresses are in use`,
        }
      : {
          type: 'Exhausted',
          status: 'False',
          reason: 'HasFreeAddresses',
          message: `${f.available} of ${f.total} addresses free`,
        },
  ];
}

/** The pool's status: its figures and conditions. */
export function poolResult(f: PoolFacts): PoolResult {
  return {
    name: f.name,
    total: f.total,
    used: f.used,
    available: f.available,
    conditions: poolConditions(f),
    ...(f.held ? { held: f.held } : {}),
  };
}
