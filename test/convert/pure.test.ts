/** agent/convert is PURE: no I/O imports and no clock or randomness (STYLE.md). */
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dir, '..', '..', 'agent', 'convert');

test('agent/convert imports no I/O and reads no clock or randomness', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(5);
  const offences: string[] = [];
  for (const f of files) {
    const src = readFileSync(join(DIR, f), 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = m[1] ?? '';
      if (
        spec === 'bun' ||
        spec.startsWith('bun:') ||
        spec.startsWith('node:') ||
        spec === 'hono' ||
        spec.startsWith('@kubernetes/')
      ) {
        offences.push(`${f} imports ${spec}`);
      }
    }
    for (const call of [
      'Date.now',
      'new Date(',
      'setTimeout',
      'setInterval',
      'Math.random',
      'process.',
      'Bun.',
    ]) {
      if (src.includes(call)) offences.push(`${f} uses ${call}`);
    }
  }
  expect(offences).toEqual([]);
});
