/** The pure/shell split (STYLE.md): pure folders import no I/O and read no clock or randomness. */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dir, '..', '..');
const PURE = [
  'agent/net',
  'agent/api',
  'agent/bgp/wire',
  'agent/bgp/fsm',
  'agent/bgp/rib',
  'agent/bfd/packet.ts',
  'agent/bfd/checks.ts',
  'agent/bfd/diagnostic.ts',
  'agent/bfd/timers.ts',
  'agent/bfd/fsm.ts',
  'agent/bfd/profile.ts',
  'agent/bfd/wheel.ts',
  'agent/bfd/arrival.ts',
  'agent/bfd/events.ts',
  'agent/bfd/demux.ts',
  'agent/l2/wire',
  'agent/l2/answer.ts',
  'agent/l2/interface-choice.ts',
  'agent/ipam',
  'agent/convert',
  'agent/routercfg',
  'agent/doctor',
  'agent/reconcile/plan',
  'agent/http/status-doc.ts',
  'agent/cli/status-format.ts',
  'agent/config/schema.ts',
  'agent/config/field-checks.ts',
  'agent/control/protocol.ts',
  'agent/lib/metrics.ts',
  'agent/lib/backoff.ts',
  'agent/lib/suggest.ts',
  'agent/lib/file-mode.ts',
  'agent/kube/response-shape.ts',
  'agent/kube/changed-keys.ts',
  'agent/kube/informer-cache.ts',
  'agent/kube/describe-request.ts',
  'agent/lib/watchdog.ts',
  'agent/lib/proc-maps.ts',
  'agent/l2/ownership.ts',
  'agent/l2/liveness.ts',
  'agent/l2/heartbeat-lease.ts',
  'agent/l2/announce-schedule.ts',
];
const FORBIDDEN_IMPORT =
  /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](bun|bun:[^'"]+|node:[^'"]+|@kubernetes\/client-node|hono(?:\/[^'"]*)?|fs|net|os|child_process)['"]/g;
const FORBIDDEN_CALL =
  /\b(Date\.now|new Date\(\s*\)|setTimeout|setInterval|Math\.random|performance\.now|process\.)/g;

function files(dir: string): string[] {
  if (dir.endsWith('.ts')) return [dir];
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('pure folders stay pure', () => {
  const all = PURE.flatMap((d) => files(join(ROOT, d)));

  test('the guard sees the pure code it protects', () => {
    expect(all.some((f) => f.includes('agent/net/'))).toBe(true);
    expect(all.length).toBeGreaterThan(2);
  });

  test('no I/O imports, clocks or randomness', () => {
    const violations: string[] = [];
    for (const f of all) {
      const src = stripComments(readFileSync(f, 'utf8'));
      for (const m of src.matchAll(FORBIDDEN_IMPORT)) violations.push(`${relative(ROOT, f)} imports ${m[1]}`);
      for (const m of src.matchAll(FORBIDDEN_CALL)) violations.push(`${relative(ROOT, f)} uses ${m[1]}`);
    }
    expect(violations).toEqual([]);
  });

  test('the guard catches a violation', () => {
    const sample = "import { x } from 'node:fs';\nconst t = Date.now();";
    expect([...sample.matchAll(FORBIDDEN_IMPORT)].length).toBe(1);
    expect([...sample.matchAll(FORBIDDEN_CALL)].length).toBe(1);
  });
});
