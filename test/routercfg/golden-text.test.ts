/**
 * The golden files of test/fixtures/routercfg/ compared with the rendered text, without the
 * daemons' config checkers: golden.test.ts does the same and then runs bgpd/bfdd/bird, which
 * makes it too heavy for `bun run mutate`; this light copy lets every renderer mutant be
 * judged against the exact output. (UPDATE_GOLDEN=1 on golden.test.ts rewrites the files.)
 */
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routerConfig, TARGETS } from '../../agent/routercfg/render.ts';
import { DIR, EXT, scenario, scenarios } from './golden-scenarios.ts';

describe('router-config golden files, text only', () => {
  test('the fixture folder holds scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
  });
  for (const name of scenarios)
    for (const target of TARGETS)
      test(`${name}: ${target}`, () => {
        const r = routerConfig(target, scenario(name));
        const file = join(DIR, name, r.ok ? `${target}.${EXT[target]}.golden` : `${target}.error`);
        expect(existsSync(file)).toBe(true);
        expect(r.ok ? r.text : `${r.errors.join('\n')}\n`).toBe(readFileSync(file, 'utf8'));
      });
});
