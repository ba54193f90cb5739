/**
 * The converter corpus: each realistic MetalLB / Cilium input converts without a lossy error,
 * and the converted objects announce exactly the incumbent's expected table (test/e2e/
 * convert-corpus.test.ts checks the same tables at FRR).
 */
import { describe, expect, test } from 'bun:test';
import { cases, convertCase, loadCase, plannedRows } from './corpus.ts';

test('the corpus holds the MetalLB and Cilium BGPv2 cases', () => {
  expect(cases()).toEqual([
    'cilium-bgpv2-two-advertisements',
    'edgelb-service-attributes',
    'metallb-two-advertisements',
  ]);
});

describe('converter corpus', () => {
  for (const name of cases())
    test(`${name}: converts without error and announces the expected table`, () => {
      const c = loadCase(name);
      expect(c.expected.length).toBeGreaterThan(0);
      const r = convertCase(c);
      expect(r.errors).toEqual([]);
      expect(plannedRows(c, r.objects)).toEqual(c.expected);
    });
});
