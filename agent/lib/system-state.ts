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

/** The command's first output word ("" when it cannot be run within timeoutMs). */
export function readSystemState(command: readonly string[], timeoutMs: number): Promise<string> {
  const [file, ...args] = command;
  if (!file) return Promise.resolve('');
  return new Promise((resolve) => {
    // is-system-running exits non-zero for every state but "running": its output is what counts.
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (_err, stdout) => {
      resolve((stdout ?? '').trim().split(/\s+/)[0] ?? '');
    });
  });
}

export async function systemIsStopping(command: readonly string[], timeoutMs: number): Promise<boolean> {
  return (await readSystemState(command, timeoutMs)) === SYSTEM_STOPPING;
}
