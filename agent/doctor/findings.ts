/** PURE. A doctor finding: one line each; the exit code is 1 when any is an error. */

export type Level = 'ok' | 'warn' | 'error';

export interface Finding {
  level: Level;
  /** What was checked: "config", "kubeconfig", "pool blog", "peer 192.168.2.1:179"... */
  subject: string;
  message: string;
}

const TAG: Record<Level, string> = { ok: 'ok   ', warn: 'warn ', error: 'error' };

export const ok = (subject: string, message: string): Finding => ({ level: 'ok', subject, message });
export const warn = (subject: string, message: string): Finding => ({ level: 'warn', subject, message });
export const error = (subject: string, message: string): Finding => ({ level: 'error', subject, message });

/** "error kubeconfig: /etc/edgelb/kubeconfig: cannot read: ENOENT" (newlines folded, one line). */
export function formatFinding(f: Finding): string {
  return `${TAG[f.level]} ${f.subject}: ${f.message.replace(/\s*\n\s*/g, '; ')}`;
}

export function summary(findings: Finding[]): string {
  const n = (l: Level) => findings.filter((f) => f.level === l).length;
  const [e, w] = [n('error'), n('warn')];
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return e === 0
    ? `no problems found${w ? ` (${plural(w, 'warning')})` : ''}`
    : `${plural(e, 'problem')}, ${plural(w, 'warning')}`;
}

/** 0 when nothing is wrong (warnings allowed), 1 otherwise. */
export function exitCode(findings: Finding[]): number {
  return findings.some((f) => f.level === 'error') ? 1 : 0;
}
