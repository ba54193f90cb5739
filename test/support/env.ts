/**
 * Test prerequisites. Under CI (CI=true) a missing tool or missing root is a failure,
 * never a skip; on a developer machine the test is skipped with the reason.
 */
import { spawnSync } from 'node:child_process';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Returns undefined when every requirement is met, else the reason. Under CI the reason
 * is thrown, so the suite fails instead of skipping.
 */
export function missing(req: { root?: boolean; tools?: string[] }): string | undefined {
  const reasons: string[] = [];
  if (req.root && !IS_ROOT) reasons.push('needs root');
  for (const t of req.tools ?? []) if (!hasTool(t)) reasons.push(`needs ${t}`);
  if (reasons.length === 0) return undefined;
  const reason = reasons.join(', ');
  if (IN_CI) throw new Error(`test prerequisites missing under CI: ${reason}`);
  return reason;
}
