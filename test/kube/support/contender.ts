/**
 * One leader-election contender as its own process (for the multi-process test):
 *   bun contender.ts <kubeconfig> <identity> <leaseMs> <renewMs> <retryMs>
 * Prints one JSON line per leadership change: {ev: 'start'|'stop', id, at}. On SIGTERM it
 * stops cleanly (releases the Lease) and exits 0.
 */

import { loadKubeconfig } from '../../../agent/kube/kubeconfig.ts';
import { kubeLeaseStore, LeaderElector } from '../../../agent/kube/leader-election.ts';
import { KubeClient } from '../../../agent/kube/transport.ts';
import { systemClock } from '../../../agent/lib/clock.ts';
import { createLogger } from '../../../agent/lib/log.ts';

const [path, id, lease, renew, retry] = process.argv.slice(2);
const log = createLogger(
  { level: 'info', format: 'json', write: (l) => process.stderr.write(`${l}\n`) },
  { id },
);
const client = new KubeClient(loadKubeconfig({ path }), { log, timeoutMs: Number(renew) });
const emit = (ev: string) => process.stdout.write(`${JSON.stringify({ ev, id, at: Date.now() })}\n`);
const elector = new LeaderElector({
  identity: id!,
  namespace: 'kube-system',
  name: 'edgelb-test',
  store: kubeLeaseStore(client, 'kube-system', 'edgelb-test'),
  leaseDurationMs: Number(lease),
  renewDeadlineMs: Number(renew),
  retryPeriodMs: Number(retry),
  clock: systemClock,
  random: Math.random,
  log,
  onStartedLeading: () => emit('start'),
  onStoppedLeading: () => emit('stop'),
});
process.on('SIGTERM', async () => {
  await elector.stop();
  emit('exit');
  process.exit(0);
});
elector.start();
emit('ready');
