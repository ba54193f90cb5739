/**
 * Composition root of `edgelb run`: builds the real clock, metrics, source, BGP speaker,
 * reconcile loop and HTTP endpoint, and wires signals and systemd notification.
 * Start order: HTTP, source, loop (the speaker is created once the router ID is known; L2
 * mode's ownership once an L2AnnouncementPolicy exists).
 * Stop order, the reverse: loop, L2 (stop answering, then release the heartbeat Lease so the
 * next owners take over at once), speaker (withdraw or keep per bgp.shutdown), source
 * (releases the Lease), HTTP.
 */
import { hostname, networkInterfaces } from 'node:os';
import { BfdManager } from './bfd/manager.ts';
import { udpTransport } from './bfd/transport.ts';
import { Speaker } from './bgp/speaker.ts';
import { type Config, nodeAddressCIDRFor } from './config/schema.ts';
import { drainedFile } from './control/drained-file.ts';
import { openControlSocket } from './control/server.ts';
import { createApp } from './http/app.ts';
import { registerProcessMetrics } from './http/process-metrics.ts';
import { serveHttp } from './http/server.ts';
import { kubeLeaseStore } from './kube/leader-election.ts';
import { heartbeatLeaseName } from './l2/heartbeat-lease.ts';
import { readLinks } from './l2/link-facts.ts';
import { openLink } from './l2/link-port.ts';
import { kubeHeartbeatWatch, L2Ownership } from './l2/ownership-controller.ts';
import { Responder } from './l2/responder.ts';
import { systemClock } from './lib/clock.ts';
import { UserError } from './lib/errors.ts';
import { Lifecycle } from './lib/lifecycle.ts';
import type { Logger } from './lib/log.ts';
import { Registry } from './lib/metrics.ts';
import { scheduleReleasePages } from './lib/release-pages.ts';
import { sdNotify } from './lib/sd-notify.ts';
import { startSdWatchdog } from './lib/sd-watchdog.ts';
import { readSystemStateTwice, SYSTEM_STOPPING } from './lib/system-state.ts';
import {
  blockedNow,
  explainNow,
  nodeStatusNow,
  planReasons,
  registerBlockedMetric,
} from './reconcile/announcements.ts';
import { BfdCoupling } from './reconcile/bfd-coupling.ts';
import { L2Announcer, type OwnershipPort, StaticOwnership } from './reconcile/l2-announcer.ts';
import { Maintenance } from './reconcile/maintenance.ts';
import { NodePublisher } from './reconcile/node-publisher.ts';
import {
  type HostInterface,
  hostNextHop,
  nodeAddresses,
  pickAddress,
} from './reconcile/plan/node-address.ts';
import type { SinceMemory } from './reconcile/plan/node-status.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { buildStatus, notReadyReasons, type StatusInputs } from './reconcile/status.ts';
import { FilesSource } from './source/files.ts';
import type { KubernetesSource } from './source/kubernetes.ts';
import type { Source } from './source/types.ts';
import { buildInfo } from './version.ts';

/** How long the stop path waits for systemd's system state (a stuck systemctl must not hold the stop). */
const SYSTEM_STATE_TIMEOUT_MS = 1000;
/** A read with no state is asked again once, this much later. */
const SYSTEM_STATE_RETRY_MS = 100;
/**
 * The shutdown withdraw waits at most this long for acknowledgements (then settles): with the
 * 4.5 s component stop it stays well inside the unit's TimeoutStopSec=20.
 */
const SHUTDOWN_WITHDRAW_MAX_MS = 8000;

export interface RunningAgent {
  /** Resolves with the exit code once the agent has stopped. */
  done: Promise<number>;
  stop(): Promise<void>;
}

function hostInterfaces(): HostInterface[] {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) => {
    const addresses = (list ?? []).filter((a) => !a.internal).map((a) => a.address);
    return addresses.length ? [{ name, addresses }] : [];
  });
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
    clock,
  });
  const ensureSpeaker = (): Speaker | undefined => {
    if (speaker) return speaker;
    const node = source.observe().node;
    const files = config.source === 'files';
    const cidr4 = nodeAddressCIDRFor(config, 4);
    const cidr6 = nodeAddressCIDRFor(config, 6);
    const candidates = files ? hostInterfaces().flatMap((i) => i.addresses) : nodeAddresses(node);
    routerId = config.bgp.routerId || pickAddress(candidates, 4, cidr4) || '';
    if (!routerId) return undefined;
    // Pinned next hops: the Node's addresses (kubernetes), or the host's inside bgp.nodeAddressCIDRs (files).
    const v4 = !files || cidr4 ? pickAddress(candidates, 4, cidr4) : undefined;
    const v6 = !files || cidr6 ? pickAddress(candidates, 6, cidr6) : undefined;
    // Otherwise the session's local address of the family, else the host's own address of it:
    // files mode any interface's (the one the session runs on first), kubernetes mode only the
    // interface holding the Node's address (a Node listing only its IPv4 on a dual-stack LAN).
    const nodeAddrs = nodeAddresses(node);
    const fallbackNextHop = (family: 4 | 6, local: string | undefined): string | undefined =>
      hostNextHop(hostInterfaces(), family, {
        anchors: files ? (local ? [local] : []) : nodeAddrs,
        cidr: family === 4 ? cidr4 : cidr6,
        anywhere: files,
      });
    speaker = new Speaker({
      routerId,
      hostname: nodeName,
      ...(v4 ? { nextHopV4: v4 } : {}),
      ...(v6 ? { nextHopV6: v6 } : {}),
      fallbackNextHop,
      ...(config.bgp.listenPort > 0 ? { listen: { address: '0.0.0.0', port: config.bgp.listenPort } } : {}),
      clock,
      random,
      log: log.child({ component: 'bgp' }),
      metrics,
      gate: bfd.gate,
    });
    log.info('BGP speaker started', {
      routerId,
      nextHopV4: v4 ?? 'session address, else the host address',
      nextHopV6: v6 ?? 'session address, else the host address',
    });
    return speaker;
  };

  const l2 = new L2Announcer({
    nodeName,
    clock,
    log: log.child({ component: 'l2' }),
    metrics,
    ownership: ({ onOwnedChange, changes }): OwnershipPort => {
      const l2log = log.child({ component: 'l2' });
      if (source.kind === 'kubernetes') {
        const kube = source as KubernetesSource;
        // Every node must run the same l2 timings (the others judge our liveness by them).
        const leaseDurationMs = config.l2.leaseDurationSeconds * 1000;
        const namespace = config.kubernetes.leaderElection.namespace;
        return new L2Ownership({
          node: nodeName,
          namespace,
          leaseDurationMs,
          renewIntervalMs: config.l2.renewIntervalSeconds * 1000,
          store: kubeLeaseStore(kube.client, namespace, heartbeatLeaseName(nodeName)),
          watch: kubeHeartbeatWatch({
            client: kube.client,
            namespace,
            clock,
            random,
            log: l2log,
            restarts: kube.restarts,
            // Our own renewals arrive every renewInterval: four lease durations of silence is a dead watch.
            silenceMs: 4 * leaseDurationMs,
          }),
          clock,
          log: l2log,
          onOwnedChange,
          changes,
        });
      }
      return new StaticOwnership({ nodeName, onOwnedChange, changes });
    },
    responder: (mayAnswer) =>
      new Responder({
        clock,
        openLink,
        log: log.child({ component: 'l2' }),
        gratuitousIntervalSeconds: config.l2.gratuitousIntervalSeconds,
        mayAnswer,
      }),
    links: readLinks,
    writer: () => source.writer,
    withdrawWhenCordoned: config.kubernetes.withdrawWhenCordoned,
  });

  // Planned maintenance (edgelb drain, withdraw before shutdown); the reconciler reads its flags.
  let reconciler: Reconciler | undefined;
  const maintenance = new Maintenance({
    clock,
    store: drainedFile(config.control.drainedFile),
    apply: async () => reconciler?.runNow(),
    speaker: () => speaker,
    withholds: () => reconciler?.withholds() ?? [],
    settleMs: config.control.settleSeconds * 1000,
    timeoutMs: config.control.drainTimeoutSeconds * 1000,
    log: log.child({ component: 'maintenance' }),
  });
  reconciler = new Reconciler({
    source,
    speaker: ensureSpeaker,
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
    routerId: () => routerId,
    source,
    reconciler,
    speaker: () => speaker,
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
  lifecycle.add({ name: 'bgp', stop: () => speaker?.stop(shutdownMode) });
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

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopOnce();
    return stopping;
  };
  const stopOnce = async () => {
    sdNotify('STOPPING=1');
    const system = await readSystemStateTwice(
      config.control.systemStateCommand,
      SYSTEM_STATE_TIMEOUT_MS,
      SYSTEM_STATE_RETRY_MS,
    );
    const machine = system.state === SYSTEM_STOPPING;
    log.info('stopping', {
      bgpShutdown: machine ? 'withdraw (system shutting down)' : config.bgp.shutdown,
      // Why a shutdown was not recognised, when it was not: the state read, or why none was.
      systemState: system.state || `unknown (${system.problem})`,
    });
    if (machine) {
      shutdownMode = 'withdraw';
      await maintenance.withdrawForShutdown(
        Math.min(SHUTDOWN_WITHDRAW_MAX_MS, config.control.drainTimeoutSeconds * 1000),
      );
    }
    await control?.close();
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
