/**
 * rendezvousScore is part of the protocol between nodes: during a rolling upgrade, old and new
 * agents must pick the same owner for an IP, so the scores are pinned as test vectors
 * (FNV-1a over "node#key", then murmur3's fmix32).
 */
import { expect, test } from 'bun:test';
import { rendezvousScore, rendezvousWinner } from '../../agent/l2/ownership.ts';

test.each([
  ['node-a', '192.168.2.200', 1525920728],
  ['node-b', '192.168.2.201', 4207224252],
  ['', '', 1087405143],
  ['node-c', 'fd00::1', 1514886656],
  ['n', 'k', 1484539920],
])('score(%p, %p) = %d', (node, key, score) => {
  expect(rendezvousScore(node, key)).toBe(score);
});

test('the winner is the highest score; no nodes, no winner', () => {
  expect(rendezvousWinner(['node-a', 'node-b', 'node-c'], '192.168.2.200')).toBe('node-b');
  expect(rendezvousWinner(['node-c', 'node-a'], '192.168.2.200')).toBe(
    rendezvousScore('node-c', '192.168.2.200') > rendezvousScore('node-a', '192.168.2.200')
      ? 'node-c'
      : 'node-a',
  );
  expect(rendezvousWinner([], 'x')).toBeUndefined();
});
