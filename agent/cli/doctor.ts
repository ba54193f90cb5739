/**
 * `edgelb doctor [--config PATH] [--online]`: what `run` would reject, offline (the config,
 * the kubeconfig, files mode's manifests, pools), and with --online the API server, RBAC
 * (a SelfSubjectAccessReview per permission edgelb uses), the Node object, the pools
 * against this node's subnets, and a TCP connection to each BGP peer the config names.
 * One line per finding; exit 0 when nothing is wrong (warnings allowed), 1 otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.ts';
import { type Config, formatProblem } from '../config/schema.ts';
import { error, exitCode, type Finding, formatFinding, ok, summary, warn } from '../doctor/findings.ts';
import { noObjects, type Objects } from '../doctor/objects.ts';
import { hostPort, peersOf } from '../doctor/peers.ts';
import { poolFindings } from '../doctor/pools.ts';
import {
  type KubeEndpoint,
  loadKubeconfig,
  NODE_KUBECONFIG,
  resolveKubeconfigPath,
} from '../kube/kubeconfig.ts';
import { errorMessage } from '../lib/errors.ts';
import { parseManifestFile } from '../source/files-manifests.ts';
import {
  CONFIG_HELP,
  CONFIG_OPTION,
  type Command,
  noPositionals,
  type OptionSpec,
  parseOrUsage,
} from './args.ts';
import { onlineKubernetes } from './doctor-online.ts';

const usage = `Usage: edgelb doctor [--config PATH] [--online]

Checks what "edgelb run" needs, one line per finding: the config, the kubeconfig, the
files-mode manifests and the pools (public address space, this node's own subnets).
With --online also: the API server answers and accepts the credentials, RBAC grants each
permission edgelb uses, the Node object exists, and each BGP peer accepts a TCP connection.
Exits 0 when nothing is wrong (warnings allowed), 1 otherwise.

Options:
${CONFIG_HELP}
  --online        also check the API server, RBAC, the Node and the BGP peers`;

const MANIFEST = /\.ya?ml$/;
const PEER_TIMEOUT_MS = 3000;

export interface DoctorDeps {
  /** This node's interface addresses with prefix length, loopback excluded. */
  subnets(): string[];
  hostname(): string;
  /** Opens and closes a TCP connection; an error message, or undefined when it connected. */
  connect(host: string, port: number, timeoutMs: number): Promise<string | undefined>;
  env: Record<string, string | undefined>;
  /** Home folder for ~/.kube/config. */
  home: string;
  /** The node kubeconfig the search order tries after $KUBECONFIG. */
  nodeKubeconfig: string;
}

export const systemDeps: DoctorDeps = {
  subnets: () =>
    Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a && !a.internal && a.cidr ? [a.cidr] : [])),
  hostname,
  env: process.env,
  home: homedir(),
  nodeKubeconfig: NODE_KUBECONFIG,
  connect: (host, port, timeoutMs) =>
    new Promise((resolve) => {
      const s = createConnection({ host, port });
      const done = (why: string | undefined) => {
        clearTimeout(timer);
        s.destroy();
        resolve(why);
      };
      const timer = setTimeout(() => done(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
      s.once('connect', () => done(undefined));
      s.once('error', (e) => done(errorMessage(e)));
    }),
};

function manifestFindings(dir: string, into: Objects): Finding[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => MANIFEST.test(n))
      .sort();
  } catch (e) {
    return [error('manifests', `${dir}: ${errorMessage(e)}`)];
  }
  const out: Finding[] = [];
  let count = 0;
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readFileSync(file, 'utf8');
    } catch (e) {
      out.push(error('manifests', `${file}: cannot be read (${errorMessage(e)})`));
      continue;
    }
    const parsed = parseManifestFile(file, text);
    for (const p of parsed.problems) out.push(error('manifests', p));
    for (const i of parsed.ignored)
      out.push(warn('manifests', `${file}: ${i}: a kind edgelb does not read, ignored`));
    for (const o of parsed.objects) {
      count++;
      if (o.object.kind === 'LoadBalancerIPPool') into.pools.push(o.object.value);
      else if (o.object.kind === 'L2AnnouncementPolicy') into.l2Policies.push(o.object.value);
      else if (o.object.kind === 'BGPPeeringPolicy') into.bgpPolicies.push(o.object.value);
    }
  }
  if (!out.some((f) => f.level === 'error'))
    out.unshift(ok('manifests', `${dir}: ${count} objects in ${names.length} files`));
  return out;
}

function kubeconfigFinding(cfg: Config, deps: DoctorDeps): { finding: Finding; endpoint?: KubeEndpoint } {
  const opts = {
    path: cfg.kubernetes.kubeconfig,
    env: deps.env,
    home: deps.home,
    nodePath: deps.nodeKubeconfig,
  };
  const path = resolveKubeconfigPath(opts);
  try {
    const endpoint = loadKubeconfig(opts);
    return { finding: ok('kubeconfig', `${endpoint.origin} (server ${endpoint.server})`), endpoint };
  } catch (e) {
    const hint = path === undefined ? '; get one with "edgelb kubeconfig" (see README)' : '';
    return { finding: error('kubeconfig', `${errorMessage(e).replace(/^kubeconfig:? /, '')}${hint}`) };
  }
}

export async function doctor(
  configPath: string,
  online: boolean,
  deps: DoctorDeps = systemDeps,
): Promise<Finding[]> {
  const loaded = loadConfig(configPath);
  if (!loaded.ok) return loaded.problems.map((p) => error('config', `${configPath}: ${formatProblem(p)}`));
  const cfg = loaded.config;
  const out: Finding[] = [
    loaded.found
      ? ok('config', `${configPath} is valid (source: ${cfg.source})`)
      : warn('config', `${configPath} not found: the defaults apply (source: kubernetes)`),
  ];
  const nodeName = cfg.nodeName || deps.hostname();
  out.push(
    ok(
      'node name',
      `${nodeName}${cfg.nodeName ? '' : ' (the hostname; set nodeName if the Node is named otherwise)'}`,
    ),
  );
  const objects = noObjects();
  let labels: Record<string, string> | undefined;
  let poolsKnown = false;
  if (cfg.source === 'files') {
    out.push(...manifestFindings(cfg.files.manifests, objects));
    labels = cfg.files.nodeLabels;
    poolsKnown = true;
  } else {
    const k = kubeconfigFinding(cfg, deps);
    out.push(k.finding);
    for (const w of k.endpoint?.warnings ?? []) out.push(warn('kubeconfig', w.replace(/^kubeconfig /, '')));
    if (online && k.endpoint) {
      const r = await onlineKubernetes(cfg, k.endpoint, nodeName, objects);
      out.push(...r.findings);
      labels = r.labels;
      poolsKnown = !r.findings.some((f) => f.subject === 'api server' && f.level === 'error');
    }
  }
  if (poolsKnown) {
    out.push(...poolFindings({ ...objects, nodeSubnets: deps.subnets(), nodeLabels: labels }));
    if (objects.pools.length === 0) out.push(warn('pools', 'no LoadBalancerIPPool: Services get no address'));
  }
  if (online && labels) {
    for (const p of peersOf(objects.bgpPolicies, labels)) {
      const why = await deps.connect(p.address, p.port, PEER_TIMEOUT_MS);
      const subject = `peer ${hostPort(p)}`;
      out.push(
        why === undefined
          ? ok(subject, `accepts TCP (policy ${p.policy})`)
          : error(subject, `${why} (policy ${p.policy})`),
      );
    }
  }
  return out;
}

const DOCTOR_OPTIONS = { ...CONFIG_OPTION, online: { type: 'boolean' } } as const satisfies OptionSpec;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the config, kubeconfig, manifests and pools (--online: API server, RBAC, Node, peers)',
  usage,
  options: DOCTOR_OPTIONS,
  async run(argv) {
    const args = parseOrUsage(argv, DOCTOR_OPTIONS, usage);
    if (!args) return 0;
    noPositionals(args.positionals, usage);
    const findings = await doctor(args.values.config ?? DEFAULT_CONFIG_PATH, !!args.values.online);
    for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
    process.stdout.write(`${summary(findings)}\n`);
    return exitCode(findings);
  },
};
