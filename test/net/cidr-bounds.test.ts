/** parseCidr at the edges of the prefix length (agent/net/ip.ts). */
import { expect, test } from 'bun:test';
import { parseCidr } from '../../agent/net/ip.ts';

test.each([
  ['10.0.0.0/0', true],
  ['10.0.0.0/32', true],
  ['10.0.0.0/33', false],
  ['fd00::/128', true],
  ['fd00::/129', false],
  ['10.0.0.0/', false],
  ['10.0.0.0/0032', false],
  ['10.0.0.0/-1', false],
])('%s: ok %p', (text, ok) => {
  const r = parseCidr(text);
  expect(r.ok).toBe(ok);
  if (!r.ok) expect(r.error).toContain(text);
});
