/**
 * PURE. The node configuration (/etc/edgelb/config.yaml): its defaults, its shape, and a strict
 * validator that reports every problem at once with its field path (the field checks are
 * config/field-checks.ts).
 */

import {
  DEFAULT_L2_GRATUITOUS_INTERVAL_SECONDS,
  DEFAULT_L2_LEASE_DURATION_SECONDS,
  DEFAULT_L2_RENEW_INTERVAL_SECONDS,
} from '../api/defaults.ts';
import {
  bool,
  checkShape,
  cidrOrEmpty,
  cidrPerFamily,
  hostPort,
  int,
  ipv4OrEmpty,
  labels,
  oneOf,
  type Problem,
  type Shape,
  seconds,
  str,
  strings,
} from './field-checks.ts';

export type { Problem } from './field-checks.ts';

export interface Config {
  nodeName: string;
  source: 'kubernetes' | 'files';
  kubernetes: {
    kubeconfig: string;
    leaderElection: {
      namespace: string;
      leaseName: string;
      leaseDurationSeconds: number;
      renewDeadlineSeconds: number;
      retryPeriodSeconds: number;
    };
    loadBalancerClass: string;
    claimServicesWithoutClass: boolean;
    /** A cordoned Node (spec.unschedulable) announces nothing, as an excluded one (default true). */
    withdrawWhenCordoned: boolean;
  };
  files: {
    manifests: string;
    state: string;
    nodeLabels: Record<string, string>;
  };
  bgp: {
    routerId: string;
    /** Alias of a one-CIDR nodeAddressCIDRs (older configs); merged into nodeAddressCIDRs on load. */
    nodeAddressCIDR: string;
    /** Picks this node's address of each family (router ID, next hops) inside these CIDRs, at most one per family. */
    nodeAddressCIDRs: string[];
    listenPort: number;
    shutdown: 'withdraw' | 'keep';
  };
  /** L2 mode: the per-node heartbeat Lease (edgelb-node-<node>) and gratuitous ARP/NA. */
  l2: {
    /** A node whose heartbeat is this old is dead and its IPs move (a Lease counts whole seconds). */
    leaseDurationSeconds: number;
    /** How often a node renews its heartbeat; must be less than leaseDurationSeconds. */
    renewIntervalSeconds: number;
    /** Period of gratuitous ARP / unsolicited NA for owned IPs. */
    gratuitousIntervalSeconds: number;
  };
  http: { listen: string };
  /** The local control socket of `edgelb drain`/`undrain`, and what they keep. */
  control: {
    /** Unix socket (mode 0660, the service's group); "" turns it off. */
    socket: string;
    /** Where the drained state is kept across restarts (in the state directory). */
    drainedFile: string;
    /** After every session has acknowledged the withdrawals, wait this long before answering. */
    settleSeconds: number;
    /** A drain gives up waiting for acknowledgements after this long (the routes stay withdrawn). */
    drainTimeoutSeconds: number;
    /**
     * The command whose output is systemd's system state ("stopping" during a shutdown or
     * reboot): then the agent withdraws whatever bgp.shutdown says. Empty: never.
     */
    systemStateCommand: string[];
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; format: 'json' | 'text' };
}

export function defaultConfig(): Config {
  return {
    nodeName: '',
    source: 'kubernetes',
    kubernetes: {
      kubeconfig: '',
      leaderElection: {
        namespace: 'kube-system',
        leaseName: 'edgelb',
        leaseDurationSeconds: 15,
        renewDeadlineSeconds: 10,
        retryPeriodSeconds: 2,
      },
      loadBalancerClass: 'edgelb.io/bgp',
      claimServicesWithoutClass: true,
      withdrawWhenCordoned: true,
    },
    files: { manifests: '/etc/edgelb/manifests.d', state: '/var/lib/edgelb/state.json', nodeLabels: {} },
    bgp: { routerId: '', nodeAddressCIDR: '', nodeAddressCIDRs: [], listenPort: 0, shutdown: 'withdraw' },
    l2: {
      leaseDurationSeconds: DEFAULT_L2_LEASE_DURATION_SECONDS,
      renewIntervalSeconds: DEFAULT_L2_RENEW_INTERVAL_SECONDS,
      gratuitousIntervalSeconds: DEFAULT_L2_GRATUITOUS_INTERVAL_SECONDS,
    },
    http: { listen: '127.0.0.1:9180' },
    control: {
      socket: '/run/edgelb/control.sock',
      drainedFile: '/var/lib/edgelb/drained.json',
      settleSeconds: 1,
      drainTimeoutSeconds: 10,
      systemStateCommand: ['systemctl', 'is-system-running'],
    },
    log: { level: 'info', format: 'json' },
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: Problem[] };

const SHAPE: Shape = {
  nodeName: str(),
  source: oneOf('kubernetes', 'files'),
  kubernetes: {
    kubeconfig: str(),
    leaderElection: {
      namespace: str({ nonEmpty: true }),
      leaseName: str({ nonEmpty: true }),
      leaseDurationSeconds: int(1, 3600),
      renewDeadlineSeconds: int(1, 3600),
      retryPeriodSeconds: int(1, 3600),
    },
    loadBalancerClass: str({ nonEmpty: true }),
    claimServicesWithoutClass: bool,
    withdrawWhenCordoned: bool,
  },
  files: { manifests: str({ nonEmpty: true }), state: str({ nonEmpty: true }), nodeLabels: labels },
  bgp: {
    routerId: ipv4OrEmpty,
    nodeAddressCIDR: cidrOrEmpty,
    nodeAddressCIDRs: cidrPerFamily,
    listenPort: int(0, 65535),
    shutdown: oneOf('withdraw', 'keep'),
  },
  l2: {
    leaseDurationSeconds: int(1, 3600),
    renewIntervalSeconds: seconds(0.1, 3600),
    gratuitousIntervalSeconds: int(1, 86400),
  },
  http: { listen: hostPort },
  control: {
    socket: str(),
    drainedFile: str({ nonEmpty: true }),
    settleSeconds: seconds(0, 60),
    drainTimeoutSeconds: seconds(0.1, 600),
    systemStateCommand: strings,
  },
  log: { level: oneOf('debug', 'info', 'warn', 'error'), format: oneOf('json', 'text') },
};

/** Validates a parsed YAML document (undefined or null = all defaults). */
export function validateConfig(input: unknown): ConfigResult {
  const config = defaultConfig();
  const problems: Problem[] = [];
  if (input !== undefined && input !== null) {
    checkShape(SHAPE, input, '', problems, config as unknown as Record<string, unknown>);
  }
  const le = config.kubernetes.leaderElection;
  if (problems.length === 0) {
    // client-go's rules: leaseDuration > renewDeadline > retryPeriod * 1.2
    if (le.leaseDurationSeconds <= le.renewDeadlineSeconds) {
      problems.push({
        path: 'kubernetes.leaderElection.leaseDurationSeconds',
        message: `must be greater than renewDeadlineSeconds (${le.renewDeadlineSeconds}), got ${le.leaseDurationSeconds}`,
      });
    }
    if (le.renewDeadlineSeconds <= le.retryPeriodSeconds * 1.2) {
      problems.push({
        path: 'kubernetes.leaderElection.renewDeadlineSeconds',
        message: `must be greater than 1.2 × retryPeriodSeconds (${le.retryPeriodSeconds}), got ${le.renewDeadlineSeconds}`,
      });
    }
    const l2 = config.l2;
    if (l2.renewIntervalSeconds >= l2.leaseDurationSeconds) {
      problems.push({
        path: 'l2.renewIntervalSeconds',
        message: `must be less than leaseDurationSeconds (${l2.leaseDurationSeconds}), got ${l2.renewIntervalSeconds}`,
      });
    }
  }
  if (problems.length === 0) mergeNodeAddressAlias(config, problems);
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

/** bgp.nodeAddressCIDR (the old single key) joins bgp.nodeAddressCIDRs unless that pins the same family. */
function mergeNodeAddressAlias(config: Config, problems: Problem[]): void {
  const alias = config.bgp.nodeAddressCIDR;
  if (!alias) return;
  const fam = (c: string) => (c.includes(':') ? 6 : 4);
  const clash = config.bgp.nodeAddressCIDRs.find((c) => fam(c) === fam(alias));
  if (clash && clash !== alias)
    problems.push({
      path: 'bgp.nodeAddressCIDR',
      message: `is the old spelling of bgp.nodeAddressCIDRs, which already pins IPv${fam(alias)} to ${clash}; keep one`,
    });
  else if (!clash) config.bgp.nodeAddressCIDRs = [...config.bgp.nodeAddressCIDRs, alias];
}

/** The pinned CIDR of a family from bgp.nodeAddressCIDRs ('' when none). */
export function nodeAddressCIDRFor(config: Config, family: 4 | 6): string {
  return config.bgp.nodeAddressCIDRs.find((c) => (c.includes(':') ? 6 : 4) === family) ?? '';
}

export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}`;
}
