/** The standard process_* metrics, read from /proc/self on Linux. */
import { readdirSync, readFileSync } from 'node:fs';
import type { Registry } from '../lib/metrics.ts';

const PAGE = 4096;
const CLK_TCK = 100;

function readStat(): string[] | undefined {
  try {
    const s = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function registerProcessMetrics(registry: Registry, startTimeMs: number): void {
  registry.collect(
    'process_cpu_seconds_total',
    'Total user and system CPU time spent in seconds.',
    'counter',
    () => {
      const u = process.cpuUsage();
      return [{ labels: {}, value: (u.user + u.system) / 1e6 }];
    },
  );
  registry.collect('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => {
    const f = readStat();
    return [{ labels: {}, value: f ? Number(f[21]) * PAGE : process.memoryUsage().rss }];
  });
  registry.collect('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'gauge', () => {
    const f = readStat();
    return f ? [{ labels: {}, value: Number(f[20]) }] : [];
  });
  registry.collect(
    'process_start_time_seconds',
    'Start time of the process since unix epoch in seconds.',
    'gauge',
    () => {
      const f = readStat();
      const boot = bootTimeSeconds();
      if (f && boot !== undefined) return [{ labels: {}, value: boot + Number(f[19]) / CLK_TCK }];
      return [{ labels: {}, value: Math.floor(startTimeMs / 1000) }];
    },
  );
  registry.collect('process_open_fds', 'Number of open file descriptors.', 'gauge', () => {
    try {
      return [{ labels: {}, value: readdirSync('/proc/self/fd').length }];
    } catch {
      return [];
    }
  });
  const max = maxFds();
  registry.collect('process_max_fds', 'Maximum number of open file descriptors.', 'gauge', () =>
    max === undefined ? [] : [{ labels: {}, value: max }],
  );
  const heap = () => [{ labels: {}, value: process.memoryUsage().heapUsed }];
  registry.collect('edgelb_runtime_heap_used_bytes', 'JavaScript heap in use, in bytes.', 'gauge', heap);
  // Deprecated (not a standard process metric): removed in the release after 0.2.
  registry.collect('process_heap_bytes', 'Deprecated: use edgelb_runtime_heap_used_bytes.', 'gauge', heap);
}

let bootTime: number | undefined;
function bootTimeSeconds(): number | undefined {
  if (bootTime !== undefined) return bootTime;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootTime = m ? Number(m[1]) : undefined;
  } catch {
    bootTime = undefined;
  }
  return bootTime;
}
