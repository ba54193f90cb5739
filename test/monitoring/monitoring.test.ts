// The Grafana dashboard and the Prometheus alert rules: promtool accepts and unit-tests the rules,
// and every metric either of them reads is one a running agent serves on /metrics.
import { afterAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, ROOT, spawnCli } from '../support/cli.ts';
import { missing } from '../support/env.ts';

const DIR = join(ROOT, 'scripts', 'monitoring');
const RULES = join(DIR, 'edgelb-alerts.rules.yaml');
const dashboard = JSON.parse(readFileSync(join(DIR, 'edgelb-dashboard.json'), 'utf8')) as {
  panels: { id: number; title: string; targets: { expr: string }[] }[];
};
const rules = parse(readFileSync(RULES, 'utf8')) as {
  groups: { rules: { alert: string; expr: string }[] }[];
};

/** Metric names in a PromQL expression (edgelb's and the process_ ones). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:edgelb|process)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

describe('alert rules', () => {
  test('promtool check rules is clean, and the rule unit tests pass', () => {
    const why = missing({ tools: ['promtool'] });
    if (why) return;
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 8 rules found');
    const t = spawnSync('promtool', ['test', 'rules', 'edgelb-alerts.test.yaml'], {
      cwd: DIR,
      encoding: 'utf8',
    });
    expect(t.stdout + t.stderr).toContain('SUCCESS');
    expect(t.status).toBe(0);
  });

  test("the issue's alerts are all there", () => {
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const a of [
      'EdgeLBBGPSessionDown',
      'EdgeLBBFDSessionDown',
      'EdgeLBPoolNearlyFull',
      'EdgeLBServiceWithoutIP',
      'EdgeLBInvalidObjectIgnored',
      'EdgeLBAnnouncementsBlocked',
    ])
      expect(names).toContain(a);
  });
});

describe('dashboard', () => {
  test('panels have unique ids, a query each, and one Prometheus data source input', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) expect(metricsIn(t.expr).length).toBeGreaterThan(0);
    }
  });
});

describe('every metric used exists in /metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-monitoring-'));
  let agent: ReturnType<typeof spawnCli> | undefined;
  afterAll(() => agent?.kill());

  test('a files-mode agent serves every metric the rules and the dashboard read', async () => {
    const port = await freePort();
    mkdirSync(join(dir, 'manifests'));
    const cfg = join(dir, 'config.yaml');
    writeFileSync(
      cfg,
      `source: files\nnodeName: n1\nfiles:\n  manifests: ${join(dir, 'manifests')}\n  state: ${join(dir, 'state.json')}\nhttp:\n  listen: 127.0.0.1:${port}\n`,
      { mode: 0o600 },
    );
    agent = spawnCli(['run', '--config', cfg]);
    const used = new Set([
      ...rules.groups.flatMap((g) => g.rules.flatMap((r) => metricsIn(r.expr))),
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))),
    ]);
    // The components register their metrics as they start: read until every family is there
    // (bounded), then compare what the last read served.
    let text = '';
    let served = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
      if (r?.ok) {
        text = await r.text();
        served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
        if ([...used].every((m) => served.has(m))) break;
      }
      await Bun.sleep(100);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((m) => !served.has(m))).toEqual([]);
    if (!missing({ tools: ['promtool'] })) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
    }
  });
});
