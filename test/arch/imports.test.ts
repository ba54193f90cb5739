/**
 * One-way layers: a module imports only from its own folder or from a lower layer.
 *   0  lib, version.ts
 *   1  net
 *   2  api (resource types, defaults, validators)
 *   3  bgp, bfd, kube, ipam, http, config, control   (siblings never import each other)
 *   4  l2 (its node liveness rides on kube's Leases and informers)
 *   5  source
 *   6  reconcile, convert, routercfg, doctor
 *   7  agent.ts (the composition root) and its parts agent-*.ts next to it
 *   8  cli
 *   9  main.ts
 * A lower layer that needs something from a higher one takes it as a parameter.
 */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(import.meta.dir, '..', '..');
const AGENT = join(ROOT, 'agent');

const LAYERS: Record<string, number> = {
  lib: 0,
  'version.ts': 0,
  net: 1,
  api: 2,
  bgp: 3,
  bfd: 3,
  l2: 4,
  kube: 3,
  ipam: 3,
  http: 3,
  config: 3,
  control: 3,
  source: 5,
  reconcile: 6,
  convert: 6,
  routercfg: 6,
  doctor: 6,
  'agent.ts': 7,
  cli: 8,
  'main.ts': 9,
};

/** A file next to agent.ts that is one of its parts (agent-bgp.ts): the same unit, layer 7. */
const AGENT_PART = /^agent-[a-z0-9-]+\.ts$/;

/** The unit a path belongs to: its top folder under agent/, or the root file's name (agent.ts for its parts). */
export function unitOf(path: string): string {
  const top = relative(AGENT, path).split('/')[0]!;
  return AGENT_PART.test(top) ? 'agent.ts' : top;
}

/** Why an import from one unit of agent/ into another breaks the layering, or undefined. */
export function layerViolation(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const a = LAYERS[from];
  const b = LAYERS[to];
  if (a === undefined) return `${from} has no layer`;
  if (b === undefined) return `${to} has no layer`;
  if (b > a) return `${from} (layer ${a}) imports ${to} (layer ${b})`;
  if (b === a) return `${from} imports its sibling ${to} (both layer ${a})`;
  return undefined;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

function violations(): string[] {
  const out: string[] = [];
  for (const f of files(AGENT)) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const target = resolve(dirname(f), spec);
      const why = layerViolation(unitOf(f), unitOf(target));
      if (why) out.push(`${relative(ROOT, f)} -> ${spec}: ${why}`);
    }
  }
  return out;
}

describe('import direction', () => {
  test('every unit of agent/ has a layer', () => {
    const units = readdirSync(AGENT)
      .filter((e) => e !== 'README.md')
      .map((e) => unitOf(join(AGENT, e)));
    expect(units.filter((u) => LAYERS[u] === undefined)).toEqual([]);
  });

  test('no import runs up or sideways', () => {
    expect(violations()).toEqual([]);
  });

  test('the rule catches upward and sideways imports and allows downward ones', () => {
    expect(layerViolation('kube', 'source')).toBe('kube (layer 3) imports source (layer 5)');
    expect(layerViolation('bgp', 'kube')).toBe('bgp imports its sibling kube (both layer 3)');
    expect(layerViolation('lib', 'cli')).toContain('imports cli');
    expect(layerViolation('reconcile', 'ipam')).toBeUndefined();
    expect(layerViolation('cli', 'agent.ts')).toBeUndefined();
    expect(layerViolation('bgp', 'bgp')).toBeUndefined();
  });

  test("agent.ts's parts share its unit and layer; other root files and folders do not", () => {
    expect(unitOf(join(AGENT, 'agent-stop.ts'))).toBe('agent.ts');
    expect(unitOf(join(AGENT, 'agent-bgp.ts'))).toBe('agent.ts');
    expect(unitOf(join(AGENT, 'agent.ts'))).toBe('agent.ts');
    expect(unitOf(join(AGENT, 'agent-stop.js'))).toBe('agent-stop.js');
    expect(unitOf(join(AGENT, 'main.ts'))).toBe('main.ts');
    expect(unitOf(join(AGENT, 'reconcile', 'agent-x.ts'))).toBe('reconcile');
    // A part may import what agent.ts may, and not cli or main.ts; cli may import a part.
    expect(layerViolation(unitOf(join(AGENT, 'agent-l2.ts')), 'reconcile')).toBeUndefined();
    expect(layerViolation(unitOf(join(AGENT, 'agent-l2.ts')), 'cli')).toBe(
      'agent.ts (layer 7) imports cli (layer 8)',
    );
    expect(layerViolation('cli', unitOf(join(AGENT, 'agent-l2.ts')))).toBeUndefined();
  });

  test('the scanner sees relative imports, re-exports and dynamic imports', () => {
    const src =
      "import { a } from '../kube/x.ts';\nexport { b } from './y.ts';\nconst c = await import('../source/z.ts');";
    expect([...src.matchAll(IMPORT)].map((m) => m[1] ?? m[2])).toEqual([
      '../kube/x.ts',
      './y.ts',
      '../source/z.ts',
    ]);
  });
});
