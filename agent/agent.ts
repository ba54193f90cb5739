/**
 * Composition root of `edgelb run`: builds the real clock, metrics, source, BGP speaker,
 * reconcile loop and HTTP endpoint, and wires signals and systemd notification.
 * Start order: HTTP, source, loop (the speaker is created once the router ID is known).
 * Stop order, the reverse: loop, speaker (withdraw or keep per bgp.shutdown), source
 * (releases the Lease), HTTP.
 */
import { hostname, networkInterfaces } from 'node:os';
import { BfdManager } from './bfd/manager.ts';
import { udpTransport } from './bfd/transport.ts';
import { Speaker } from './bgp/speaker.ts';
import type { Config } from './config/schema.ts';
import { createApp } from './http/app.ts';
import { registerProcessMetrics } from './http/process-metrics.ts';
import { serveHttp } from './http/server.ts';
import { systemClock } from './lib/clock.ts';
import { UserError } from './lib/errors.ts';
import { Lifecycle } from './lib/lifecycle.ts';
import type { Logger } from './lib/log.ts';
import { Registry } from './lib/metrics.ts';
import { sdNotify } from './lib/sd-notify.ts';
import { BfdCoupling } from './reconcile/bfd-coupling.ts';
import { nodeAddresses, pickAddress } from './reconcile/plan/node-address.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { buildStatus, notReadyReasons, type StatusInputs } from './reconcile/status.ts';
import { FilesSource } from './source/files.ts';
import type { Source } from './source/types.ts';
import { buildInfo } from './version.ts';

export interface RunningAgent {
  /** Resolves with the exit code once the agent has stopped. */
  done: Promise<number>;
  stop(): Promise<void>;
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal)
    .map((a) => a!.address);
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

  let speaker: Speaker | undefined;
  let routerId = '';
  // BFD (RFC 5880) for neighbors that name a BFDProfile; sockets open with the first session.
  const bfdLog = log.child({ component: 'bfd' });
  const bfd = new BfdCoupling({
    manager: new BfdManager({
      clock,
      random,
      transport: udpTransport({
        clock,
        random,
        onError: (err) => bfdLog.warn('bfd socket error', { error: String(err) }),
      }),
      log: bfdLog,
    }),
    speaker: () => speaker,
    log: bfdLog,
    metrics,
  });
  const ensureSpeaker = (): Speaker | undefined => {
    if (speaker) return speaker;
    const node = source.observe().node;
    const candidates = config.source === 'files' ? hostAddresses() : nodeAddresses(node);
    routerId = config.bgp.routerId || pickAddress(candidates, 4, config.bgp.nodeAddressCIDR) || '';
    if (!routerId) return undefined;
    const v4 = config.source === 'files' ? undefined : pickAddress(candidates, 4, config.bgp.nodeAddressCIDR);
    const v6 = config.source === 'files' ? undefined : pickAddress(candidates, 6);
    speaker = new Speaker({
      routerId,
      hostname: nodeName,
      ...(v4 ? { nextHopV4: v4 } : {}),
      ...(v6 ? { nextHopV6: v6 } : {}),
      ...(config.bgp.listenPort > 0 ? { listen: { address: '0.0.0.0', port: config.bgp.listenPort } } : {}),
      clock,
      random,
      log: log.child({ component: 'bgp' }),
      metrics,
      gate: bfd.gate,
    });
    log.info('BGP speaker started', {
      routerId,
      nextHopV4: v4 ?? 'session address',
      nextHopV6: v6 ?? 'session address',
    });
    return speaker;
  };

  const reconciler = new Reconciler({
    source,
    speaker: ensureSpeaker,
    bfd,
    nodeName,
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
    routerId: () => routerId,
    source,
    reconciler,
    speaker: () => speaker,
    bfd,
  };
  const app = createApp({
    notReady: () => notReadyReasons(statusInputs),
    metrics: () => metrics.render(),
    status: () => buildStatus(statusInputs),
  });
  let http: ReturnType<typeof serveHttp>;
  try {
    http = serveHttp(app, config.http.listen);
  } catch (err) {
    if (err instanceof UserError) log.error(err.message);
    throw err;
  }
  lifecycle.add({ name: 'http', stop: () => http.stop() });

  await source.start(() => reconciler.trigger());
  lifecycle.add({ name: 'source', stop: () => source.stop() });
  lifecycle.add({ name: 'bfd', stop: () => bfd.close() });
  lifecycle.add({ name: 'bgp', stop: () => speaker?.stop(config.bgp.shutdown) });
  lifecycle.add({ name: 'reconcile', stop: () => reconciler.stop() });
  reconciler.trigger();

  log.info('edgelb started', {
    node: nodeName,
    version: buildInfo.version,
    http: http.url,
    source: config.source,
  });
  sdNotify(`READY=1\nSTATUS=serving ${http.url}`);

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  const stop = async () => {
    sdNotify('STOPPING=1');
    log.info('stopping', { bgpShutdown: config.bgp.shutdown });
    await lifecycle.stop();
    log.info('stopped');
    resolveDone(0);
  };
  process.on('SIGTERM', () => {
    log.info('signal received', { signal: 'SIGTERM' });
    void stop();
  });
  process.on('SIGINT', () => {
    log.info('signal received', { signal: 'SIGINT' });
    void stop();
  });
  process.on('SIGHUP', () => {
    log.info('signal received', { signal: 'SIGHUP' });
    if (source instanceof FilesSource) source.reload();
    reconciler.trigger();
  });
  return { done, stop };
}
