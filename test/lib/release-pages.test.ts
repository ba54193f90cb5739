/**
 * agent/lib/release-pages.ts: the binary's mappings are paged out for real (the resident set
 * shrinks), and on schedule.
 */
import { describe, expect, test } from 'bun:test';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';
import {
  BURST_RELEASE_GAP_MS,
  RELEASE_AFTER_MS,
  type Released,
  releaseAfterBurst,
  releaseExecutablePages,
  scheduleReleasePages,
} from '../../agent/lib/release-pages.ts';

const ROOT = join(import.meta.dir, '..', '..');

describe('releaseExecutablePages', () => {
  test('finds and advises the running binary', () => {
    const r = releaseExecutablePages();
    if (r instanceof Error) throw r;
    expect(r.mappings).toBeGreaterThan(0);
    expect(r.mappedBytes).toBeGreaterThan(1 << 20);
    expect(r.rssBefore).toBeGreaterThan(0);
  });

  // Pages shared with another process are not paged out, and every bun on this machine maps
  // the same file: the RSS check runs in a copy of the runtime that only the child maps.
  test('the resident set of a process with its own binary shrinks by megabytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-pages-'));
    try {
      const runtime = join(dir, 'bun');
      copyFileSync(process.execPath, runtime);
      chmodSync(runtime, 0o755);
      const script = join(dir, 'release.ts');
      writeFileSync(
        script,
        `import { releaseExecutablePages } from ${JSON.stringify(join(ROOT, 'agent/lib/release-pages.ts'))};\n` +
          'console.log(JSON.stringify(releaseExecutablePages()));\n',
      );
      const out = Bun.spawnSync([runtime, script], { stdout: 'pipe', stderr: 'pipe', timeout: 20_000 });
      expect(out.exitCode).toBe(0);
      const r = JSON.parse(out.stdout.toString()) as Released;
      expect(r.mappings).toBeGreaterThan(0);
      expect(r.rssBefore - r.rssAfter).toBeGreaterThan(4 << 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scheduleReleasePages', () => {
  const quiet = () => {
    const lines: string[] = [];
    return { lines, log: createLogger({ level: 'debug', format: 'text', write: (l) => lines.push(l) }) };
  };
  const released: Released = { mappings: 3, mappedBytes: 111 << 20, rssBefore: 52 << 20, rssAfter: 24 << 20 };

  test('after 10 s and 5 min, logging the resident set before and after', () => {
    const clock = new FakeClock();
    const { lines, log } = quiet();
    let calls = 0;
    scheduleReleasePages(clock, log, () => {
      calls++;
      return released;
    });
    expect(RELEASE_AFTER_MS).toEqual([10_000, 300_000]);
    clock.advance(9_999);
    expect(calls).toBe(0);
    clock.advance(1);
    expect(calls).toBe(1);
    expect(lines[0]).toContain('paged out the binary mappedMiB=111.0 rssBeforeMiB=52.0 rssAfterMiB=24.0');
    clock.advance(290_000);
    expect(calls).toBe(2);
    clock.advance(3_600_000);
    expect(calls).toBe(2);
  });

  test('a refusal is logged at debug; stop() cancels what is not done yet', () => {
    const clock = new FakeClock();
    const { lines, log } = quiet();
    let calls = 0;
    const s = scheduleReleasePages(clock, log, () => {
      calls++;
      return new Error('madvise(MADV_PAGEOUT) on /x failed (errno 22)');
    });
    clock.advance(10_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DEBUG');
    expect(lines[0]).toContain('errno 22');
    s.stop();
    clock.advance(600_000);
    expect(calls).toBe(1);
  });
});

describe('releaseAfterBurst', () => {
  test('at most once a minute on the monotonic clock', () => {
    let calls = 0;
    const release = (): Released => {
      calls++;
      return { mappings: 1, mappedBytes: 1, rssBefore: 2, rssAfter: 1 };
    };
    const t0 = 1e9;
    expect(releaseAfterBurst(t0, release)).toMatchObject({ mappings: 1 });
    expect(releaseAfterBurst(t0 + BURST_RELEASE_GAP_MS - 1, release)).toBeUndefined();
    expect(calls).toBe(1);
    expect(releaseAfterBurst(t0 + BURST_RELEASE_GAP_MS, release)).toMatchObject({ mappings: 1 });
    expect(calls).toBe(2);
    expect(BURST_RELEASE_GAP_MS).toBe(60_000);
  });
});
