/** The mutation runner's mutant finder and test map (scripts/mutate/). */
import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import ts from 'typescript';
import { applyMutant, mutantsOf, programFor } from '../../scripts/mutate/mutants.ts';
import { ImportGraph, pureFiles, testFoldersFor, testsFor } from '../../scripts/mutate/test-map.ts';

const ROOT = join(import.meta.dir, '..', '..');

function mutate(src: string): string[] {
  const sf = ts.createSourceFile('x.ts', src, ts.ScriptTarget.ESNext, true);
  return mutantsOf('x.ts', sf).map((m) => applyMutant(src, m));
}

describe('mutantsOf', () => {
  test('operators, boundaries and conditions, one at a time', () => {
    expect(mutate('if (a < b && c) x = 1;')).toEqual([
      'if (!(a < b && c)) x = 1;',
      'if (a <= b && c) x = 1;',
      'if (a < b || c) x = 1;',
      'if (a < b && c) x = 2;',
      'if (a < b && c) x = 0;',
    ]);
    expect(mutate('const t = ok ? true : n >= 2n;')).toEqual([
      'const t = !(ok) ? true : n >= 2n;',
      'const t = ok ? false : n >= 2n;',
      'const t = ok ? true : n > 2n;',
      'const t = ok ? true : n >= 3n;',
      'const t = ok ? true : n >= 1n;',
    ]);
    expect(mutate('y = a * b / c - d;')).toEqual([
      'y = a / b / c - d;',
      'y = a * b * c - d;',
      'y = a * b / c + d;',
    ]);
  });

  test('strings, comments, types and property names are left alone; negatives keep their sign', () => {
    expect(mutate("const s: 1 | 2 = 'a < b' as never; // x + 1")).toEqual([]);
    expect(mutate('const o = { 1: a };')).toEqual([]);
    expect(mutate('x = 0;')).toEqual(['x = 1;', 'x = (-1);']);
  });

  test('a + on strings is not mutated when the checker knows it adds strings', () => {
    const file = join(ROOT, 'agent/lib/backoff.ts');
    const program = programFor([file]);
    const sf = program.getSourceFile(file) as ts.SourceFile;
    const ms = mutantsOf('agent/lib/backoff.ts', sf, program.getTypeChecker());
    expect(ms.length).toBeGreaterThan(0);
    const src = ts.createSourceFile(
      'y.ts',
      "const s = 'a' + name; const n = 1 + k;",
      ts.ScriptTarget.ESNext,
      true,
    );
    expect(mutantsOf('y.ts', src).map((m) => m.original)).toEqual(['1', '1', '+']);
  });
});

describe('test map', () => {
  test('every pure file of the purity test is a candidate, scored under its folder', () => {
    const files = pureFiles(ROOT);
    expect(files.some((f) => f.file === 'agent/ipam/ipam.ts' && f.folder === 'agent/ipam')).toBe(true);
    expect(files.some((f) => f.file === 'agent/bfd/fsm.ts' && f.folder === 'agent/bfd')).toBe(true);
    // A shell is never a candidate; a pure file in a shell's folder is (agent/kube/response-shape.ts).
    expect(files.some((f) => f.file === 'agent/kube/transport.ts')).toBe(false);
    expect(files.some((f) => f.file === 'agent/kube/response-shape.ts' && f.folder === 'agent/kube')).toBe(
      true,
    );
  });

  test('agent/X maps to test/X plus the explicit extras; only importing, light tests judge', () => {
    expect(testFoldersFor('agent/ipam/holdings.ts')).toEqual(['test/ipam']);
    expect(testFoldersFor('agent/net/ip.ts')).toContain('test/ipam');
    const tests = testsFor(ROOT, new ImportGraph(ROOT), 'agent/bgp/wire/capabilities.ts');
    expect(tests).toContain('test/bgp/negotiate.test.ts');
    expect(tests).not.toContain('test/bgp/session-socket.test.ts');
    expect(tests).not.toContain('test/interop/frr.test.ts');
    expect(tests.every((t) => t.startsWith('test/bgp/'))).toBe(true);
  });
});
