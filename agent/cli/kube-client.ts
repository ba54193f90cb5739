/**
 * The client the CLI's one-shot reads use (plan, router-config, status/explain --cluster). The
 * kube modules load only when a command needs the cluster, so `edgelb run` and the offline
 * commands never evaluate them.
 */
import type { ListClient } from './router-config-inputs.ts';

export async function kubeClientFor(
  path: string,
  o: { logLevel?: 'warn' | 'error'; timeoutMs?: number } = {},
): Promise<ListClient> {
  const { loadKubeconfig } = await import('../kube/kubeconfig.ts');
  const { KubeClient } = await import('../kube/transport.ts');
  const { createLogger } = await import('../lib/log.ts');
  const log = createLogger({ level: o.logLevel ?? 'warn', format: 'text' });
  return new KubeClient(loadKubeconfig({ path, log }), {
    log,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
}
