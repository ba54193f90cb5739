/**
 * `edgelb run` loads only its own module (agent/main.ts): the fast path must run the same
 * command the table holds, and main.ts must not import the table (or any command) statically.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../agent/cli/commands.ts';
import { runCommand } from '../../agent/cli/run.ts';
import { ROOT } from '../support/cli.ts';

test("the run fast path is the table's run command", () => {
  expect(commands.find((c) => c.name === 'run')).toBe(runCommand);
});

test('main.ts imports no command module statically', () => {
  const src = readFileSync(join(ROOT, 'agent', 'main.ts'), 'utf8');
  const staticImports = [...src.matchAll(/^import (?!type ).*from '(\.\/cli\/[^']+)';$/gm)].map((m) => m[1]);
  expect(staticImports).toEqual([]);
  expect(src).toContain("import('./cli/run.ts')");
  expect(src).toContain("import('./cli/commands.ts')");
});
