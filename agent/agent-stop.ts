/**
 * Part of the composition root (agent.ts): how `edgelb run` stops. Once only, whatever asks:
 * STOPPING=1 to systemd; systemd's system state read (bounded); a machine going down withdraws
 * its announcements first (bounded wait), whatever bgp.shutdown says; then the control socket
 * closes and the components stop in reverse start order. SIGTERM and SIGINT stop;
 * SIGHUP reloads.
 */
import type { Config } from './config/schema.ts';
import type { ControlServer } from './control/server.ts';
import type { Lifecycle } from './lib/lifecycle.ts';
import type { Logger } from './lib/log.ts';
import { sdNotify } from './lib/sd-notify.ts';
import { readSystemStateTwice, SYSTEM_STOPPING } from './lib/system-state.ts';
import type { Maintenance } from './reconcile/maintenance.ts';

/** How long the stop path waits for systemd's system state (a stuck systemctl must not hold the stop). */
const SYSTEM_STATE_TIMEOUT_MS = 1000;
/** A read with no state is asked again once, this much later. */
const SYSTEM_STATE_RETRY_MS = 100;
/**
 * The shutdown withdraw waits at most this long for acknowledgements (then settles): with the
 * 4.5 s component stop it stays well inside the unit's TimeoutStopSec=20.
 */
const SHUTDOWN_WITHDRAW_MAX_MS = 8000;

export interface StopSequenceOptions {
  config: Config;
  log: Logger;
  maintenance: Maintenance;
  control: ControlServer | undefined;
  lifecycle: Lifecycle;
  /** The machine is going down: the speaker's stop withdraws, whatever bgp.shutdown says. */
  onMachineStopping: () => void;
}

export interface StopSequence {
  /** Resolves with the exit code once the agent has stopped. */
  done: Promise<number>;
  /** Runs the stop sequence once; every call returns the same promise. */
  stop(): Promise<void>;
}

export function stopSequence(o: StopSequenceOptions): StopSequence {
  const { config, log } = o;
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
      o.onMachineStopping();
      await o.maintenance.withdrawForShutdown(
        Math.min(SHUTDOWN_WITHDRAW_MAX_MS, config.control.drainTimeoutSeconds * 1000),
      );
    }
    await o.control?.close();
    await o.lifecycle.stop();
    log.info('stopped');
    resolveDone(0);
  };
  return { done, stop };
}

/** SIGTERM and SIGINT stop the agent; SIGHUP reloads. */
export function handleSignals(o: { log: Logger; stop: () => Promise<void>; reload: () => void }): void {
  const { log } = o;
  process.on('SIGTERM', () => {
    log.info('signal received', { signal: 'SIGTERM' });
    void o.stop();
  });
  process.on('SIGINT', () => {
    log.info('signal received', { signal: 'SIGINT' });
    void o.stop();
  });
  process.on('SIGHUP', () => {
    log.info('signal received', { signal: 'SIGHUP' });
    o.reload();
  });
}
