/** Every property test runs a fixed number of cases from a fixed seed (test/support/property.ts). */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_SEED, seeded } from '../support/property.ts';

const TEST_ROOT = join(import.meta.dir, '..');

function testFiles(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('seeded property tests', () => {
  test('every fc.assert takes seeded(...), and none is cut off by a time limit', () => {
    const problems: string[] = [];
    let asserts = 0;
    for (const f of testFiles(TEST_ROOT)) {
      const src = readFileSync(f, 'utf8');
      const n = src.match(/\bfc\.assert\(/g)?.length ?? 0;
      asserts += n;
      const s = src.match(/\bseeded\(/g)?.length ?? 0;
      if (n > s) problems.push(`${relative(TEST_ROOT, f)}: ${n} fc.assert, ${s} seeded(...)`);
      if (n > 0 && /interruptAfter[T]imeLimit/.test(src))
        problems.push(`${relative(TEST_ROOT, f)}: time limit`);
    }
    expect(asserts).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  test('the same seed gives the same cases', () => {
    const p = seeded(20);
    if (process.env.PROPERTY_SEED === undefined) expect(p.seed).toBe(DEFAULT_SEED);
    const a = fc.sample(fc.integer(), { seed: p.seed, numRuns: p.numRuns });
    const b = fc.sample(fc.integer(), { seed: p.seed, numRuns: p.numRuns });
    expect(a).toEqual(b);
    expect(a.length).toBe(process.env.PROPERTY_RUNS === undefined ? 20 : p.numRuns);
  });
});
