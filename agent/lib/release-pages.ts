/**
 * SHELL. Hands the pages of the program's own binary back to the kernel once the agent has
 * started: madvise(MADV_PAGEOUT) on every mapping of /proc/self/exe.
 *
 * The compiled binary is one ≈110 MB file (the Bun runtime and the bundled program); start-up
 * touches ≈40 MB of it, and those pages stay in the process's RSS although most are never
 * used again (module evaluation, the parser, code paths of the first sync). Paging them out
 * drops them from the RSS; the ones the agent still uses come back on their next touch, from
 * the page cache or the disk, like any other page of a program. Clean file pages only: written
 * (private, copied) pages stay, as there is no swap to put them in.
 *
 * MADV_PAGEOUT needs Linux 5.4; on an older kernel (EINVAL) nothing changes.
 */
import { readFileSync, realpathSync } from 'node:fs';
import type { Clock } from './clock.ts';
import { errno, libc } from './libc.ts';
import type { Logger } from './log.ts';
import { mappedBytes, mappingsOf } from './proc-maps.ts';

const MADV_PAGEOUT = 21;

export interface Released {
  /** Mappings advised, and their total size. */
  mappings: number;
  mappedBytes: number;
  /** Resident set before and after, from /proc/self/status. */
  rssBefore: number;
  rssAfter: number;
}

/** Resident set in bytes (VmRSS), 0 when /proc is not readable. */
export function residentBytes(): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Pages out the binary's mappings; an Error (with errno) when madvise refuses one, or when /proc
 * or libc cannot be read or loaded. Never throws: saving memory must not stop the agent.
 */
export function releaseExecutablePages(): Released | Error {
  try {
    const exe = realpathSync('/proc/self/exe');
    const ms = mappingsOf(readFileSync('/proc/self/maps', 'utf8'), exe);
    const rssBefore = residentBytes();
    for (const m of ms) {
      if (libc().madvise(m.start, m.end - m.start, MADV_PAGEOUT) !== 0)
        return new Error(`madvise(MADV_PAGEOUT) on ${exe} failed (errno ${errno()})`);
    }
    return { mappings: ms.length, mappedBytes: mappedBytes(ms), rssBefore, rssAfter: residentBytes() };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Releases after bursts are at least this far apart. */
export const BURST_RELEASE_GAP_MS = 60_000;
let lastBurstRelease = Number.NEGATIVE_INFINITY;

/**
 * After a burst of work has settled (thousands of Services allocated, announced or answered):
 * the code that burst touched goes back too, at most once per BURST_RELEASE_GAP_MS
 * (undefined when skipped). `now` is monotonic milliseconds.
 */
export function releaseAfterBurst(
  now: number,
  release: () => Released | Error = releaseExecutablePages,
): Released | Error | undefined {
  if (now - lastBurstRelease < BURST_RELEASE_GAP_MS) return undefined;
  lastBurstRelease = now;
  return release();
}

/**
 * After start-up, and once more when the first sync of a big cluster is surely over: each
 * time, the pages of the binary the agent touched since go back. Logged at info with the RSS
 * before and after; a refusal (an old kernel) is logged at debug and changes nothing.
 */
export const RELEASE_AFTER_MS: readonly number[] = [10_000, 300_000];

export function scheduleReleasePages(
  clock: Clock,
  log: Logger,
  release: () => Released | Error = releaseExecutablePages,
  delays: readonly number[] = RELEASE_AFTER_MS,
): { stop(): void } {
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const timers = delays.map((ms) =>
    clock.setTimer(ms, () => {
      const r = release();
      if (r instanceof Error) log.debug('cannot page out the binary', { error: r.message });
      else
        log.info('paged out the binary', {
          mappedMiB: mib(r.mappedBytes),
          rssBeforeMiB: mib(r.rssBefore),
          rssAfterMiB: mib(r.rssAfter),
        });
    }),
  );
  return {
    stop: () => {
      for (const t of timers) t.cancel();
    },
  };
}
