/**
 * Composition root of `edgelb run`: builds the real clock, metrics, source, BGP speaker,
 * reconcile loop and HTTP endpoint, and wires signals and systemd notification.
 * Start order: HTTP, source, loop (the speaker is created once the router ID is known; L2
 * mode's ownership once an L2AnnouncementPolicy exists).
 * Stop order, the reverse: loop, L2 (stop answering, then release the heartbeat Lease so the
 * next owners take over at once), speaker (withdraw or keep per bgp.shutdown), source
 * (releases the Lease), HTTP.
 * Its parts: agent-bgp.ts (speaker and BFD), agent-l2.ts (L2 announcer), agent-stop.ts (the
 * stop sequence and signals).
 */
import { hostname } from 'node:os';
import { bfdCoupling, speakerOnDemand } from './agent-bgp.ts';
import { l2Announcer } from './agent-l2.ts';
import { handleSignals, stopSequence } from './agent-stop.ts';
import type { Config } from './config/schema.ts';
import { drainedFile } from './control/drained-file.ts';
import { openControlSocket } from './control/server.ts';
import { createApp } from './http/app.ts';
import { registerProcessMetrics } from './http/process-metrics.ts';
import { serveHttp } from './http/server.ts';
import { systemClock } from './lib/clock.ts';
import { UserError } from './lib/errors.ts';
import { Lifecycle } from './lib/lifecycle.ts';
import type { Logger } from './lib/log.ts';
import { Registry } from './lib/metrics.ts';
import { scheduleReleasePages } from './lib/release-pages.ts';
import { sdNotify } from './lib/sd-notify.ts';
import { startSdWatchdog } from './lib/sd-watchdog.ts';
import {
  blockedNow,
  explainNow,
  nodeStatusNow,
  planReasons,
  registerBlockedMetric,
} from './reconcile/announcements.ts';
import { Maintenance } from './reconcile/maintenance.ts';
import { NodePublisher } from './reconcile/node-publisher.ts';
import type { SinceMemory } from './reconcile/plan/node-status.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { buildStatus, notReadyReasons, type StatusInputs } from './reconcile/status.ts';
import { FilesSource } from './source/files.ts';
import type { KubernetesSource } from './source/kubernetes.ts';
import type { Source } from './source/types.ts';
import { buildInfo } from './version.ts';

export interface RunningAgent {
  /** Resolves with the exit code once the agent has stopped. */
  done: Promise<number>;
  stop(): Promise<void>;
}

export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  const startedAt = Date.now();
  const nodeName = config.nodeName || hostname();
  const clock = systemClock;
  const random = Math.random;
  const lifecycle = new Lifecycle(log);
  const metrics = new Registry();
  metrics.collect('edgelb_build_info', 'edgelb build information; the value is always 1.', 'gauge', () => [
    { labels: { version: buildInfo.version, commit: buildInfo.commit, target: buildInfo.target }, value: 1 },
  ]);
  registerProcessMetrics(metrics, startedAt);
  // WatchdogSec= in the unit: keep-alives from this event loop while its timers run on time;
  // registered first, so it is stopped last.
  const watchdog = startSdWatchdog(metrics, log);
  if (watchdog) lifecycle.add({ name: 'watchdog', stop: () => watchdog.stop() });

  // The Kubernetes client (and @kubernetes/client-node, ~20 MB resident) loads only in kubernetes mode.
  const source: Source =
    config.source === 'files'
      ? new FilesSource({
          manifests: config.files.manifests,
          state: config.files.state,
          nodeName,
          nodeLabels: config.files.nodeLabels,
          clock,
          log: log.child({ component: 'files' }),
        })
      : new (await import('./source/kubernetes.ts')).KubernetesSource({
          config: config.kubernetes,
          nodeName,
          clock,
          random,
          log: log.child({ component: 'kubernetes' }),
          metrics,
        });

  // The BGP speaker, built once the router ID is known; BFD (RFC 5880) for neighbors that name a
  // BFDProfile, its sockets opened with the first session.
  const speakers = speakerOnDemand({
    config,
    source,
    nodeName,
    clock,
    random,
    log,
    metrics,
    gate: () => bfd.gate,
  });
  const bfd = bfdCoupling({ clock, random, log, metrics, speaker: speakers.current });

  const l2 = l2Announcer({ config, source, nodeName, clock, random, log, metrics });

  // Planned maintenance (edgelb drain, withdraw before shutdown); the reconciler reads its flags.
  let reconciler: Reconciler | undefined;
  const maintenance = new Maintenance({
    clock,
    store: drainedFile(config.control.drainedFile),
    apply: async () => reconciler?.runNow(),
    speaker: speakers.current,
    withholds: () => reconciler?.withholds() ?? [],
    settleMs: config.control.settleSeconds * 1000,
    timeoutMs: config.control.drainTimeoutSeconds * 1000,
    log: log.child({ component: 'maintenance' }),
  });
  reconciler = new Reconciler({
    source,
    speaker: speakers.ensure,
    l2,
    bfd,
    nodeName,
    nodeState: () => ({
      drained: maintenance.drained,
      shuttingDown: maintenance.shuttingDown,
      withdrawWhenCordoned: config.kubernetes.withdrawWhenCordoned,
    }),
    // files mode stores a Secret without namespace as default/<name>
    defaultSecretNamespace:
      config.source === 'files' ? 'default' : config.kubernetes.leaderElection.namespace,
    clock,
    random,
    log: log.child({ component: 'reconcile' }),
    metrics,
  });

  const statusInputs: StatusInputs = {
    node: nodeName,
    version: buildInfo.version,
    routerId: speakers.routerId,
    source,
    reconciler,
    speaker: speakers.current,
    l2: () => l2.status(),
    bfd,
    drained: () => maintenance.drained,
  };
  registerBlockedMetric(metrics, () => blockedNow(statusInputs));
  const app = createApp({
    notReady: () => notReadyReasons(statusInputs),
    metrics: () => metrics.render(),
    status: () => buildStatus(statusInputs),
    explain: (key) =>
      explainNow(
        statusInputs,
        key,
        planReasons(() => reconciler.plan()),
      ),
  });
  // The control socket of edgelb drain/undrain (none: the agent runs on, drain unavailable).
  const control = await openControlSocket({
    path: config.control.socket,
    handle: (r) => maintenance.handle(r),
    log,
  });

  // kubernetes mode: this node's EdgeLBNode, written on change, at most once every few seconds.
  let nodePublisher: NodePublisher | undefined;
  if (source.kind === 'kubernetes') {
    const kube = source as KubernetesSource;
    const { edgelbNodeWriter } = await import('./kube/edgelb-node-writer.ts');
    const since: SinceMemory = new Map();
    nodePublisher = new NodePublisher({
      clock,
      snapshot: () => nodeStatusNow(statusInputs, since, clock.now()),
      write: edgelbNodeWriter(kube.client, nodeName, () => source.observe().node?.metadata.uid),
      log: log.child({ component: 'edgelbnode' }),
      metrics,
    });
  }
  let http: ReturnType<typeof serveHttp>;
  try {
    http = serveHttp(app, config.http.listen);
  } catch (err) {
    if (err instanceof UserError) log.error(err.message);
    throw err;
  }
  lifecycle.add({ name: 'http', stop: () => http.stop() });

  await source.start(() => {
    reconciler.trigger();
    nodePublisher?.poke();
  });
  lifecycle.add({ name: 'source', stop: () => source.stop() });
  if (nodePublisher) {
    const p = nodePublisher;
    p.poke();
    lifecycle.add({ name: 'edgelbnode', stop: () => p.stop() });
  }
  lifecycle.add({ name: 'bfd', stop: () => bfd.close() });
  // A machine going down withdraws whatever bgp.shutdown says ("keep" is for a service restart).
  let shutdownMode = config.bgp.shutdown;
  lifecycle.add({ name: 'bgp', stop: () => speakers.current()?.stop(shutdownMode) });
  lifecycle.add({ name: 'l2', stop: () => l2.stop() });
  lifecycle.add({ name: 'reconcile', stop: () => reconciler.stop() });
  reconciler.trigger();

  log.info('edgelb started', {
    node: nodeName,
    version: buildInfo.version,
    http: http.url,
    source: config.source,
  });
  sdNotify(`READY=1\nSTATUS=serving ${http.url}`);
  const releasePages = scheduleReleasePages(clock, log);
  lifecycle.add({ name: 'release-pages', stop: () => releasePages.stop() });

  const { done, stop } = stopSequence({
    config,
    log,
    maintenance,
    control,
    lifecycle,
    onMachineStopping: () => {
      shutdownMode = 'withdraw';
    },
  });
  handleSignals({
    log,
    stop,
    reload: () => {
      if (source instanceof FilesSource) source.reload();
      reconciler.trigger();
    },
  });
  return { done, stop };
}
