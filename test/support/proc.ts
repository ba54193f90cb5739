/**
 * Process helpers for tests that start real daemons: every process is tracked by PID,
 * stopped with SIGTERM then SIGKILL after a bound, and polled with bounded deadlines.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly cmd: string[],
    readonly result: RunResult,
  ) {
    super(
      `command failed (${result.code}): ${cmd.join(' ')}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

/** Runs a command to completion (killed after timeoutMs). Throws CommandError on a non-zero exit unless allowFail. */
export async function run(
  cmd: string[],
  opts: { timeoutMs?: number; allowFail?: boolean; stdin?: string } = {},
): Promise<RunResult> {
  const child = Bun.spawn(cmd, {
    stdin: opts.stdin === undefined ? 'ignore' : new TextEncoder().encode(opts.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const result = { code, stdout, stderr };
    if (code !== 0 && !opts.allowFail) throw new CommandError(cmd, result);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Synchronous variant for teardown paths that must not yield (process exit hooks). */
export function runSync(cmd: string[]): RunResult {
  const r = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or 128+signal). */
  readonly exited: Promise<number>;
  /** Where stdout and stderr go when started with a log file. */
  readonly logPath: string | undefined;
  running(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once. */
  kill(): Promise<void>;
  /** The log file's content so far ('' without one). */
  log(): string;
  /** Present when started with stdio: 'pipe'. */
  readonly child: Bun.Subprocess<'pipe' | 'ignore', 'pipe' | 'ignore' | number, 'pipe' | 'ignore' | number>;
}

const live = new Map<number, Proc>();

export interface StartOptions {
  name: string;
  /** stdout+stderr appended to this file. */
  logPath?: string;
  /** Pipe stdin/stdout for line protocols (stderr goes to logPath if given). */
  pipe?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

export function start(cmd: string[], opts: StartOptions): Proc {
  const fd = opts.logPath ? openSync(opts.logPath, 'a') : undefined;
  const out = fd ?? 'ignore';
  const child = Bun.spawn(cmd, {
    stdin: opts.pipe ? 'pipe' : 'ignore',
    stdout: opts.pipe ? 'pipe' : out,
    stderr: out,
    env: opts.env ? { ...process.env, ...opts.env } : process.env,
    cwd: opts.cwd,
  });
  if (fd !== undefined) closeSync(fd);
  let done = false;
  const exited = child.exited.then((code) => {
    done = true;
    live.delete(child.pid);
    return code;
  });
  const proc: Proc = {
    name: opts.name,
    pid: child.pid,
    exited,
    logPath: opts.logPath,
    child: child as Proc['child'],
    running: () => !done,
    signal(sig) {
      if (!done) process.kill(child.pid, sig);
    },
    async stop(graceMs = 3000) {
      if (done) return;
      try {
        process.kill(child.pid, 'SIGTERM');
        process.kill(child.pid, 'SIGCONT'); // a stopped process must wake up to die
      } catch {}
      if (await settles(exited, graceMs)) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
      await settles(exited, 5000);
    },
    async kill() {
      if (done) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
      await settles(exited, 5000);
    },
    log() {
      if (!opts.logPath) return '';
      try {
        return readFileSync(opts.logPath, 'utf8');
      } catch {
        return '';
      }
    },
  };
  live.set(child.pid, proc);
  return proc;
}

/** Stops every process started through start() that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live.values()].map((p) => p.stop(1000)));
}

// Last resort if a test process exits without teardown: never leave daemons behind.
process.on('exit', () => {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

async function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TimeoutError extends Error {
  constructor(
    what: string,
    ms: number,
    readonly last: unknown,
  ) {
    super(`timed out after ${ms} ms waiting for ${what}; last value: ${describe(last)}`);
  }
}

function describe(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 600 ? `${s.slice(0, 600)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * Polls fn until it returns something other than undefined/false, or throws TimeoutError after
 * timeoutMs. Errors thrown by fn count as "not yet" (the last one is reported on timeout).
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const interval = opts.intervalMs ?? 50;
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (err) {
      last = err;
    }
    if (performance.now() >= deadline) throw new TimeoutError(what, timeoutMs, last);
    await sleep(interval);
  }
}

/** Reads newline-delimited output of a piped process, one line at a time. */
export class LineReader {
  private buf = '';
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    void this.pump(stream);
  }

  private async pump(stream: ReadableStream<Uint8Array>) {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.buf += dec.decode(chunk, { stream: true });
        let i = this.buf.indexOf('\n');
        while (i >= 0) {
          this.lines.push(this.buf.slice(0, i));
          this.buf = this.buf.slice(i + 1);
          i = this.buf.indexOf('\n');
        }
        this.wake();
      }
    } catch {}
    this.ended = true;
    this.wake();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** All lines received so far (kept). */
  all(): readonly string[] {
    return this.lines;
  }

  /** Waits for a line (from index `from`) matching pred; returns its index. */
  async waitLine(pred: (line: string) => boolean, timeoutMs: number, from = 0): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (pred(this.lines[i]!)) return i;
      from = this.lines.length;
      const left = deadline - performance.now();
      if (left <= 0 || this.ended) {
        throw new TimeoutError('a matching output line', timeoutMs, this.lines.slice(-5));
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
