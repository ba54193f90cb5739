/**
 * The run set's tree stays AVL-balanced (agent/ipam/run-set.ts): after any order of single adds
 * and deletes, its height is within the AVL bound for its run count, so every lookup is O(log n).
 */
import { expect, test } from 'bun:test';
import { RunSet } from '../../agent/ipam/run-set.ts';

/** The largest height an AVL tree of n nodes can have (h < 1.4405 log2(n + 2) - 0.3277). */
const avlMax = (n: number) => Math.floor(1.4405 * Math.log2(n + 2) - 0.3277);
/** The smallest height any binary tree of n nodes has. */
const minHeight = (n: number) => Math.ceil(Math.log2(n + 1));

function check(set: RunSet, label: string) {
  const n = set.runCount;
  expect({ label, n, ok: set.height >= minHeight(n) && set.height <= avlMax(n) }).toEqual({
    label,
    n,
    ok: true,
  });
}

test('ascending, descending and zigzag inserts, then deletes, keep the AVL bound', () => {
  const N = 1500;
  const orders: [string, number[]][] = [
    ['ascending', Array.from({ length: N }, (_, i) => i)],
    ['descending', Array.from({ length: N }, (_, i) => N - 1 - i)],
    ['zigzag', Array.from({ length: N }, (_, i) => (i % 2 === 0 ? i / 2 : N - 1 - (i - 1) / 2))],
    ['spread', Array.from({ length: N }, (_, i) => (i * 7919) % N)],
  ];
  for (const [label, order] of orders) {
    const set = new RunSet();
    for (const i of order) set.add(BigInt(i * 2)); // even values: one run each
    expect(set.runCount).toBe(N);
    check(set, `${label} inserts`);
    // Delete every third, lowest first, then the high half: rotations on the way down.
    for (let i = 0; i < N; i += 3) set.delete(BigInt(i * 2));
    check(set, `${label} deletes`);
    for (let i = N - 1; i >= N / 2; i--) set.delete(BigInt(i * 2));
    check(set, `${label} high half gone`);
    // Splits and merges: odd values join runs, then some go again.
    for (let i = 0; i < N / 2; i += 5) set.add(BigInt(i * 2 + 1));
    check(set, `${label} joins`);
    expect(
      set
        .toArray()
        .every(([a, b], k, all) => a <= b && (k === 0 || (all[k - 1] as [bigint, bigint])[1] + 1n < a)),
    ).toBe(true);
  }
});

test('has(): inside a run, at its ends, in a gap, below and above everything', () => {
  const set = RunSet.of([3n, 4n, 5n, 9n]);
  expect([2n, 3n, 4n, 5n, 6n, 8n, 9n, 10n].map((x) => set.has(x))).toEqual([
    false,
    true,
    true,
    true,
    false,
    false,
    true,
    false,
  ]);
  expect(new RunSet().has(0n)).toBe(false);
});
