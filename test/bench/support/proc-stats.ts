/** Resident memory and CPU time of a process, from /proc (Linux only). */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const KIB_PER_MIB = 1024;

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / KIB_PER_MIB : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Current resident set size in MiB (VmRSS). */
export const rssMiB = (pid: number): number => statusField(pid, 'VmRSS');

/** Anonymous (heap, stacks) and file-backed (the mapped binary, libraries) parts of VmRSS, in MiB. */
export const rssParts = (pid: number): { anon: number; file: number } => ({
  anon: statusField(pid, 'RssAnon'),
  file: statusField(pid, 'RssFile'),
});

/** Peak resident set size in MiB since the process started (VmHWM). */
export const peakRssMiB = (pid: number): number => statusField(pid, 'VmHWM');

/** Clock ticks per second for /proc/PID/stat times (USER_HZ; 100 on every Linux we target). */
export function clockTicks(): number {
  const r = Bun.spawnSync(['getconf', 'CLK_TCK']);
  const n = Number(r.stdout.toString().trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
}

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  return Number(rest[11]) + Number(rest[12]);
}

/** The executable a PID runs (to check we measure the compiled binary, not a wrapper). */
export function exePath(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '?';
  }
}

/** utime + stime in clock ticks per thread name of a process (main thread, JIT, GC helpers...). */
export function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(rest[11]) + Number(rest[12]));
    } catch {}
  }
  return out;
}
