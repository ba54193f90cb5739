/**
 * Golden files: each scenario under test/fixtures/routercfg/ (manifests.yaml + nodes.json)
 * rendered for every target and compared with `<target>.golden` (or `<target>.error` when the
 * target must refuse). UPDATE_GOLDEN=1 rewrites them. The FRR and BIRD outputs are also given
 * to the real daemons' config checkers (bgpd/bfdd -C, bird -p) when they are installed.
 */
import { describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerConfig, TARGETS } from '../../agent/routercfg/render.ts';
import { missing } from '../support/env.ts';
import { run } from '../support/proc.ts';
import { splitFrr } from './frr-split.ts';
import { DIR, EXT, scenario, scenarios } from './golden-scenarios.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Config-check output lines that report a problem. */
const PROBLEM = /No such command|Unknown command|error|Error|syntax/;

describe('router-config golden files', () => {
  test('the fixture folder holds scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
  });

  for (const name of scenarios) {
    for (const target of TARGETS) {
      test(`${name}: ${target}`, () => {
        const r = routerConfig(target, scenario(name));
        const ok = join(DIR, name, `${target}.${EXT[target]}.golden`);
        const bad = join(DIR, name, `${target}.error`);
        const actual = r.ok ? r.text : `${r.errors.join('\n')}\n`;
        const file = r.ok ? ok : bad;
        if (UPDATE) {
          rmSync(r.ok ? bad : ok, { force: true });
          writeFileSync(file, actual);
        }
        expect(existsSync(file)).toBe(true);
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});

const noDaemons = missing({ tools: ['/usr/lib/frr/bgpd', '/usr/lib/frr/bfdd', 'bird'] });

describe.skipIf(!!noDaemons)('the daemons accept the generated configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-rcfg-'));
  // The FRR daemons drop to the frr user before reading their config.
  chmodSync(dir, 0o755);
  for (const name of scenarios) {
    test(`${name}: bgpd -C and bfdd -C`, async () => {
      const r = routerConfig('frr', scenario(name));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const { bgpd, bfdd } = splitFrr(r.text);
      writeFileSync(join(dir, 'bgpd.conf'), bgpd);
      writeFileSync(join(dir, 'bfdd.conf'), bfdd);
      const b = await run(['/usr/lib/frr/bgpd', '-C', '-f', join(dir, 'bgpd.conf')], { allowFail: true });
      expect(`${b.stdout}${b.stderr}`).not.toMatch(PROBLEM);
      expect(b.code).toBe(0);
      const f = await run(['/usr/lib/frr/bfdd', '-C', '-f', join(dir, 'bfdd.conf')], { allowFail: true });
      expect(`${f.stdout}${f.stderr}`).not.toMatch(PROBLEM);
    });
    test(`${name}: bird -p`, async () => {
      const r = routerConfig('bird', scenario(name));
      if (!r.ok) throw new Error(r.errors.join('\n'));
      writeFileSync(join(dir, 'bird.conf'), r.text);
      const b = await run(['bird', '-p', '-c', join(dir, 'bird.conf')], { allowFail: true });
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
    });
  }
  test('the checkers catch a bad line (the checks above can fail)', async () => {
    writeFileSync(join(dir, 'bad.conf'), 'router bgp 65000\n neighbor 192.0.2.1 no-such-thing\nexit\n');
    const b = await run(['/usr/lib/frr/bgpd', '-C', '-f', join(dir, 'bad.conf')], { allowFail: true });
    expect(`${b.stdout}${b.stderr}`).toMatch(PROBLEM);
    writeFileSync(join(dir, 'bad-bird.conf'), 'protocol bgp x { no such thing; }\n');
    const c = await run(['bird', '-p', '-c', join(dir, 'bad-bird.conf')], { allowFail: true });
    expect(c.code).not.toBe(0);
  });
});
