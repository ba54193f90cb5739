/**
 * Which tests judge a mutant: the pure entries (read from test/arch/purity.test.ts, so new
 * pure code is included as soon as it is listed there), each source file's test folders
 * (agent/X/... -> test/X, plus EXTRA_TEST_FOLDERS where its tests live elsewhere), narrowed
 * to the test files that import the source file, directly or through other modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Test folders beyond test/X for agent/X (a prefix of the source path picks them). */
export const EXTRA_TEST_FOLDERS: Record<string, string[]> = {
  'agent/net': ['test/ipam', 'test/bgp', 'test/l2'],
  'agent/api': ['test/config', 'test/convert'],
  'agent/bfd/profile.ts': ['test/config', 'test/convert'],
  'agent/l2': ['test/config'],
  'agent/http/status-doc.ts': ['test/security', 'test/cli'],
  'agent/cli/status-format.ts': ['test/security'],
  'agent/config/schema.ts': ['test/cli'],
  'agent/config/field-checks.ts': ['test/cli'],
  'agent/lib/metrics.ts': ['test/security', 'test/bgp', 'test/reconcile'],
  'agent/lib/backoff.ts': ['test/kube', 'test/bgp'],
  'agent/lib/suggest.ts': ['test/config', 'test/cli'],
  'agent/reconcile/plan': ['test/ipam'],
  'agent/doctor': ['test/cli'],
};

/** Test files that start daemons or network namespaces are too slow to run per mutant. */
const HEAVY_SUPPORT = /test\/support\/(netns|frr|frr-bfd|bird|exabgp|proc|apiserver|kubectl|pki|cli)\b/;

/**
 * Real-time socket twins of faster tests: session-socket.test.ts runs session.case.ts, which
 * session-pipe.test.ts runs on the fake clock; test/hostile/ drives a whole speaker over TCP.
 */
export const SLOW_TWINS = ['test/bgp/session-socket.test.ts', 'test/hostile/'];

function walk(dir: string, keep: (p: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return keep(dir) ? [dir] : [];
  let out: string[] = [];
  for (const e of readdirSync(dir)) out = out.concat(walk(join(dir, e), keep));
  return out;
}

/** The PURE list of the purity test. */
export function pureEntries(root: string): string[] {
  const src = readFileSync(join(root, 'test/arch/purity.test.ts'), 'utf8');
  const m = src.match(/const PURE = \[([\s\S]*?)\];/);
  if (!m) throw new Error('test/arch/purity.test.ts: no PURE list');
  return [...(m[1] as string).matchAll(/'([^']+)'/g)].map((x) => x[1] as string);
}

/** The folder a pure entry is scored under: itself, or a file's directory. */
export function folderOf(entry: string): string {
  return entry.endsWith('.ts') ? dirname(entry) : entry;
}

/** Source files of the pure entries, repository-relative, with the folder each scores under. */
export function pureFiles(root: string): { file: string; folder: string }[] {
  const out: { file: string; folder: string }[] = [];
  const seen = new Set<string>();
  for (const entry of pureEntries(root)) {
    for (const abs of walk(join(root, entry), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))) {
      const file = relative(root, abs);
      if (seen.has(file)) continue;
      seen.add(file);
      out.push({ file, folder: folderOf(entry) });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

const IMPORT = /(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Import graph of the repository's TypeScript: file -> files it imports (relative imports only). */
export class ImportGraph {
  private readonly edges = new Map<string, string[]>();
  private readonly reach = new Map<string, Set<string>>();

  constructor(private readonly root: string) {}

  private importsOf(file: string): string[] {
    let e = this.edges.get(file);
    if (e) return e;
    e = [];
    const abs = join(this.root, file);
    const src = existsSync(abs) ? readFileSync(abs, 'utf8') : '';
    for (const m of src.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = relative(this.root, resolve(dirname(abs), spec));
      if (target.endsWith('.ts')) e.push(target);
    }
    this.edges.set(file, e);
    return e;
  }

  /** Every file `file` imports, transitively (and itself). */
  reachable(file: string): Set<string> {
    const cached = this.reach.get(file);
    if (cached) return cached;
    const seen = new Set<string>([file]);
    const todo = [file];
    for (let i = 0; i < todo.length; i++)
      for (const t of this.importsOf(todo[i] as string))
        if (!seen.has(t)) {
          seen.add(t);
          todo.push(t);
        }
    this.reach.set(file, seen);
    return seen;
  }
}

/** The test folders for one source file. */
export function testFoldersFor(file: string): string[] {
  const parts = file.split('/');
  const folders = new Set<string>([`test/${parts[1]}`]);
  for (const [prefix, extra] of Object.entries(EXTRA_TEST_FOLDERS))
    if (file === prefix || file.startsWith(`${prefix}/`)) for (const f of extra) folders.add(f);
  return [...folders];
}

/** The light test files (no daemons, namespaces or processes) of `folders` that import `file`. */
export function testsFor(root: string, graph: ImportGraph, file: string): string[] {
  const out: string[] = [];
  for (const folder of testFoldersFor(file))
    for (const abs of walk(join(root, folder), (p) => p.endsWith('.test.ts'))) {
      const t = relative(root, abs);
      const reach = graph.reachable(t);
      if (!reach.has(file)) continue;
      if ([...reach].some((r) => HEAVY_SUPPORT.test(r))) continue;
      if (SLOW_TWINS.some((x) => t.startsWith(x))) continue;
      out.push(t);
    }
  return [...new Set(out)].sort();
}
