/**
 * The shell around LoopWatchdog: under a unit with WatchdogSec= (WATCHDOG_USEC set for this
 * process) it pings systemd over sd_notify (LoopWatchdog reads the clock's monotonic time), and exports the loop's
 * lateness and the keep-alives as metrics. Without a watchdog it does nothing.
 */
import { systemClock } from './clock.ts';
import type { Logger } from './log.ts';
import type { Registry } from './metrics.ts';
import { sdNotify } from './sd-notify.ts';
import { LoopWatchdog, watchdogTimeoutMs } from './watchdog.ts';

export function startSdWatchdog(metrics: Registry, log: Logger): { stop(): void } | undefined {
  const timeoutMs = watchdogTimeoutMs(
    { WATCHDOG_USEC: process.env.WATCHDOG_USEC, WATCHDOG_PID: process.env.WATCHDOG_PID },
    process.pid,
  );
  if (timeoutMs === undefined) return undefined;
  const watchdog = new LoopWatchdog({ clock: systemClock, timeoutMs, notify: (s) => sdNotify(s) });
  metrics.collect(
    'edgelb_event_loop_lag_seconds',
    'How late the last systemd watchdog heartbeat timer fired, in seconds.',
    'gauge',
    () => [{ labels: {}, value: watchdog.stats().lagMs / 1000 }],
  );
  metrics.collect(
    'edgelb_watchdog_keepalives_total',
    'WATCHDOG=1 keep-alives sent to systemd (sent), and heartbeats withheld because the loop was late (withheld).',
    'counter',
    () => {
      const s = watchdog.stats();
      return [
        { labels: { result: 'sent' }, value: s.sent },
        { labels: { result: 'withheld' }, value: s.withheld },
      ];
    },
  );
  watchdog.start();
  log.info('systemd watchdog enabled', {
    timeoutSeconds: timeoutMs / 1000,
    keepAliveSeconds: watchdog.pingIntervalMs / 1000,
    maxLagSeconds: watchdog.maxLagMs / 1000,
  });
  return watchdog;
}
