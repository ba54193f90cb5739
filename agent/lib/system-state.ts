/**
 * SHELL. systemd's system state, to tell a shutdown or reboot of the machine from a restart of
 * the service: while the machine goes down, `systemctl is-system-running` prints "stopping"
 * (it prints "running" or "degraded" during a plain `systemctl restart edgelb`). The command is
 * configurable (control.systemStateCommand), so tests inject the state and other init systems
 * can supply their own; any failure (no systemd, timeout) reads as "unknown": not stopping.
 */
import { execFile } from 'node:child_process';

/** The state systemd is in while it stops units for a shutdown, reboot, halt or kexec. */
export const SYSTEM_STOPPING = 'stopping';

export interface SystemState {
  /** The command's first output word ("" when it printed nothing or could not be run). */
  state: string;
  /** Why there is no state: the command's error and its first line of stderr. */
  problem?: string;
}

/** Runs the command (at most timeoutMs) and reads the state it prints. Never rejects. */
export function readSystemStateReport(command: readonly string[], timeoutMs: number): Promise<SystemState> {
  const [file, ...args] = command;
  if (!file) return Promise.resolve({ state: '', problem: 'no command configured' });
  return new Promise((resolve) => {
    // is-system-running exits non-zero for every state but "running": its output is what counts.
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const state = (stdout ?? '').trim().split(/\s+/)[0] ?? '';
      if (state) return resolve({ state });
      const e = err as (Error & { code?: unknown; signal?: unknown; killed?: boolean }) | null;
      const how = !e
        ? 'exit 0'
        : e.killed
          ? `no answer within ${timeoutMs} ms`
          : e.signal
            ? `killed by ${e.signal}`
            : typeof e.code === 'number'
              ? `exit ${e.code}`
              : String(e.code ?? e.message);
      const said = (stderr ?? '').trim().split('\n')[0];
      resolve({ state, problem: `${file}: ${said ? `${said} (${how})` : `${how}, no output`}` });
    });
  });
}

/**
 * The report, asked a second time after `retryAfterMs` when the first answer has no state
 * (an answer lost in the moment systemd starts a shutdown costs a withdrawal otherwise).
 * The problem reported is the last one.
 */
export async function readSystemStateTwice(
  command: readonly string[],
  timeoutMs: number,
  retryAfterMs: number,
): Promise<SystemState> {
  const first = await readSystemStateReport(command, timeoutMs);
  if (first.state || command.length === 0) return first;
  await new Promise((r) => setTimeout(r, retryAfterMs));
  return readSystemStateReport(command, timeoutMs);
}
