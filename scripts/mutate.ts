/**
 * `bun run mutate`: a mutation check of the pure folders (test/arch/purity.test.ts PURE list).
 * Each mutant (scripts/mutate/mutants.ts) is applied alone to a copy of the repository
 * (scripts/mutate/sandbox.ts) and judged by the light test files of its folder that import it
 * (scripts/mutate/test-map.ts), with --bail and a timeout. A mutant is killed when a test fails,
 * timed out when the tests hang (counted as detected), survived when they all pass.
 *
 *   bun run mutate [--folder agent/ipam]... [--sample N] [--seed S] [--max-mutants M]
 *                  [--jobs J] [--json out.json] [--list] [--quiet]
 *
 * --sample N picks N mutants per folder (seeded, --seed, default 1); --max-mutants caps the
 * total. Runs under `nice -n 19` (package.json): the machine is shared.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyMutant, type Mutant, mutantsOf, programFor } from './mutate/mutants.ts';
import { Sandbox } from './mutate/sandbox.ts';
import { ImportGraph, pureFiles, testsFor } from './mutate/test-map.ts';

const ROOT = resolve(import.meta.dir, '..');
const MIN_TIMEOUT_MS = 10_000;
const TIMEOUT_FACTOR = 2;
/** A test file slower than this unmutated judges a mutant only when no faster one imports its file. */
const SLOW_TEST_MS = 8_000;

export type Outcome = 'killed' | 'survived' | 'timeout' | 'no-tests';
interface Judged extends Mutant {
  folder: string;
  outcome: Outcome;
  ms: number;
}

function parseArgs(argv: string[]) {
  const o = {
    folders: [] as string[],
    sample: 0,
    seed: 1,
    max: Number.POSITIVE_INFINITY,
    jobs: 1,
    json: '',
    list: false,
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--folder') o.folders.push(next().replace(/\/$/, ''));
    else if (a === '--sample') o.sample = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--max-mutants') o.max = Number(next());
    else if (a === '--jobs') o.jobs = Math.max(1, Number(next()));
    else if (a === '--json') o.json = next();
    else if (a === '--list') o.list = true;
    else if (a === '--quiet') o.quiet = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** mulberry32: a small seeded PRNG for sampling. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function matchesFolder(file: string, folders: string[]): boolean {
  if (folders.length === 0) return true;
  return folders.some((f) => {
    const full = f.startsWith('agent/') ? f : `agent/${f}`;
    return file === full || file.startsWith(`${full}/`);
  });
}

async function runTests(
  dir: string,
  tests: string[],
  timeoutMs: number,
  live: Set<ReturnType<typeof Bun.spawn>>,
): Promise<{ ok: boolean; timedOut: boolean; ms: number }> {
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, 'test', '--bail', ...tests.map((t) => `./${t}`)], {
    cwd: dir,
    stdout: 'ignore',
    stderr: 'ignore',
    env: { ...process.env, NO_COLOR: '1' },
  });
  live.add(proc);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  live.delete(proc);
  return { ok: code === 0 && !timedOut, timedOut, ms: performance.now() - t0 };
}

/** One line, however many the mutated text spans. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

function report(judged: Judged[], totals: Map<string, number>): string {
  const lines: string[] = [];
  const folders = [...new Set(judged.map((j) => j.folder))].sort();
  const row = (cells: (string | number)[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(22) : String(c).padStart(9))).join(' ');
  lines.push(row(['folder', 'mutants', 'of', 'killed', 'timeout', 'survived', 'no-tests', 'score']));
  const sum = { n: 0, of: 0, k: 0, t: 0, s: 0, x: 0 };
  for (const f of folders) {
    const js = judged.filter((j) => j.folder === f);
    const k = js.filter((j) => j.outcome === 'killed').length;
    const t = js.filter((j) => j.outcome === 'timeout').length;
    const s = js.filter((j) => j.outcome === 'survived').length;
    const x = js.filter((j) => j.outcome === 'no-tests').length;
    const of = totals.get(f) ?? js.length;
    Object.assign(sum, {
      n: sum.n + js.length,
      of: sum.of + of,
      k: sum.k + k,
      t: sum.t + t,
      s: sum.s + s,
      x: sum.x + x,
    });
    lines.push(row([f, js.length, of, k, t, s, x, pct(k + t, js.length)]));
  }
  lines.push(row(['all', sum.n, sum.of, sum.k, sum.t, sum.s, sum.x, pct(sum.k + sum.t, sum.n)]));
  const missed = judged.filter((j) => j.outcome === 'survived' || j.outcome === 'no-tests');
  if (missed.length) {
    lines.push('', 'survivors:');
    for (const m of missed)
      lines.push(
        `  ${m.file}:${m.line}:${m.column} ${m.kind}: ${flat(m.original)} -> ${flat(m.replacement)}${m.outcome === 'no-tests' ? ' (no test imports it)' : ''}`,
      );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const files = pureFiles(ROOT).filter((f) => matchesFolder(f.file, o.folders));
  if (files.length === 0) throw new Error(`no pure file under ${o.folders.join(', ')}`);
  const program = programFor(files.map((f) => join(ROOT, f.file)));
  const checker = program.getTypeChecker();
  const byFolder = new Map<string, (Mutant & { folder: string })[]>();
  for (const { file, folder } of files) {
    const sf = program.getSourceFile(join(ROOT, file));
    if (!sf) throw new Error(`${file}: not parsed`);
    const list = byFolder.get(folder) ?? [];
    for (const m of mutantsOf(file, sf, checker)) list.push({ ...m, folder });
    byFolder.set(folder, list);
  }
  const totals = new Map([...byFolder].map(([f, ms]) => [f, ms.length]));
  const rand = prng(o.seed);
  let chosen = [...byFolder.values()].flatMap((ms) =>
    o.sample > 0 ? shuffled(ms, rand).slice(0, o.sample) : ms,
  );
  if (chosen.length > o.max) chosen = shuffled(chosen, rand).slice(0, o.max);
  chosen.sort((a, b) => (a.file === b.file ? a.start - b.start : a.file < b.file ? -1 : 1));
  const graph = new ImportGraph(ROOT);
  const testsOf = new Map<string, string[]>();
  for (const m of chosen) if (!testsOf.has(m.file)) testsOf.set(m.file, testsFor(ROOT, graph, m.file));
  if (o.list) {
    for (const m of chosen)
      console.log(`${m.file}:${m.line}:${m.column} ${m.kind}: ${flat(m.original)} -> ${flat(m.replacement)}`);
    console.log(`${chosen.length} mutants of ${[...totals.values()].reduce((a, b) => a + b, 0)}`);
    return 0;
  }

  const sandboxes = Array.from({ length: o.jobs }, () => new Sandbox(ROOT));
  const live = new Set<ReturnType<typeof Bun.spawn>>();
  const stop = (sig: string) => {
    for (const p of live) p.kill('SIGKILL');
    for (const s of sandboxes) s.remove();
    console.error(`mutate: ${sig}: stopped; the sandboxes are removed (the worktree was never touched)`);
    process.exit(130);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    // Baseline: every test file once, unmutated; a failing one cannot judge anything.
    const baseline = new Map<string, number>();
    const allTests = [...new Set([...testsOf.values()].flat())].sort();
    for (const t of allTests) {
      const r = await runTests((sandboxes[0] as Sandbox).dir, [t], 120_000, live);
      if (r.ok) baseline.set(t, r.ms);
      else console.error(`mutate: ${t} fails unmutated: left out`);
      if (!o.quiet && r.ok) console.log(`baseline ${(r.ms / 1000).toFixed(1)} s ${t}`);
    }
    if (!o.quiet)
      console.log(`baseline: ${baseline.size} test files, ${chosen.length} mutants, ${o.jobs} job(s)`);
    const judged: Judged[] = [];
    let next = 0;
    const worker = async (sb: Sandbox) => {
      for (;;) {
        const m = chosen[next++];
        if (!m) return;
        const usable = (testsOf.get(m.file) ?? []).filter((t) => baseline.has(t));
        const fast = usable.filter((t) => (baseline.get(t) as number) <= SLOW_TEST_MS);
        const tests = (fast.length > 0 ? fast : usable).sort(
          (a, b) => (baseline.get(a) as number) - (baseline.get(b) as number),
        );
        let outcome: Outcome = 'no-tests';
        let ms = 0;
        if (tests.length > 0) {
          const budget = tests.reduce((s, t) => s + (baseline.get(t) as number), 0);
          const original = await Bun.file(join(sb.dir, m.file)).text();
          const r = await sb.with(m.file, applyMutant(original, m), () =>
            runTests(sb.dir, tests, MIN_TIMEOUT_MS + TIMEOUT_FACTOR * budget, live),
          );
          outcome = r.timedOut ? 'timeout' : r.ok ? 'survived' : 'killed';
          ms = r.ms;
        }
        judged.push({ ...m, outcome, ms });
        if (!o.quiet)
          console.log(
            `[${judged.length}/${chosen.length}] ${outcome.padEnd(8)} ${m.file}:${m.line}:${m.column} ${flat(m.original)} -> ${flat(m.replacement)} (${(ms / 1000).toFixed(1)} s)`,
          );
      }
    };
    await Promise.all(sandboxes.map(worker));
    judged.sort((a, b) => (a.file === b.file ? a.start - b.start : a.file < b.file ? -1 : 1));
    console.log(`\n${report(judged, totals)}`);
    if (o.json)
      writeFileSync(o.json, `${JSON.stringify({ seed: o.seed, sample: o.sample, judged }, null, 1)}\n`);
    return 0;
  } finally {
    for (const s of sandboxes) s.remove();
  }
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`mutate: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
