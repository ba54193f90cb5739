/**
 * The lab for the generated router configs: the blog's LAN (router, worker, pi4, and master,
 * which runs nothing), manifests written to a folder, `edgelb router-config` run on them
 * (files mode, --node per node), the router started with its output, and one edgelb speaker
 * per selected node whose peers the agent's own planner derives from the same manifests.
 * Each node announces a pool IP per family and one IP outside every pool.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BfdProfile } from '../../agent/bfd/profile.ts';
import { runRouterConfig } from '../../agent/cli/router-config.ts';
import { readManifests } from '../../agent/cli/router-config-inputs.ts';
import { planAnnouncements } from '../../agent/reconcile/plan/announce.ts';
import { PLACEHOLDER_PATTERN } from '../../agent/routercfg/common.ts';
import type { Target } from '../../agent/routercfg/types.ts';
import { type BfdProcess, startBfdMain } from '../bfd/bfd-main.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type SpeakerProcess, startSpeaker } from '../support/speaker-main.ts';

export const { router, worker, pi4, master } = TOPOLOGY;
export const PASSWORD = 'rcfg-md5-s3cret';
export const IN_POOL = { v4: '172.198.1.1/32', v6: 'fd00:198:1::1/128' };
export const OUTSIDE = { v4: '10.99.0.1/32', v6: 'fd00:99::1/128' };
export const NODES = ['worker', 'pi4'] as const;

export function manifests(bfd?: BfdProfile): string {
  const profile = bfd
    ? `---
apiVersion: edgelb.io/v1alpha1
kind: BFDProfile
metadata: {name: lab}
spec:
  receiveIntervalMilliseconds: ${bfd.receiveIntervalMs}
  transmitIntervalMilliseconds: ${bfd.transmitIntervalMs}
  detectMultiplier: ${bfd.detectMultiplier}
`
    : '';
  return `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: lab}
spec:
  blocks: [{cidr: 172.198.1.0/30}, {cidr: "fd00:198:1::/64"}]
${profile}---
apiVersion: edgelb.io/v1alpha1
kind: BGPPeeringPolicy
metadata: {name: lab}
spec:
  nodeSelector: {matchLabels: {peering: "yes"}}
  virtualRouters:
    - localASN: 65001
      serviceSelector: {}
      neighbors:
        - peerAddress: ${router.v4}/32
          peerASN: 65000
          holdTimeSeconds: 9
          keepAliveTimeSeconds: 3
          connectRetryTimeSeconds: 1
          gracefulRestart: {enabled: true}
          authSecretRef: {name: bgp-auth}
${bfd ? '          bfdProfile: lab\n' : ''}`;
}

export interface Lab {
  lan: Lan;
  dir: string;
  /** The generated configuration (password placeholders replaced). */
  config: string;
  /** What router-config printed on stderr. */
  stderr: string;
  speakers: Map<string, SpeakerProcess>;
  bfd: Map<string, BfdProcess>;
  destroy(): Promise<void>;
}

/** Runs the CLI on the manifests as a user would, and returns stdout with the placeholders filled in. */
export async function generate(target: Target, dir: string): Promise<{ text: string; stderr: string }> {
  let out = '';
  let err = '';
  const code = await runRouterConfig(
    [
      '--for',
      target,
      '--config',
      join(dir, 'config.yaml'),
      '--manifests',
      join(dir, 'manifests'),
      // files mode: every --node carries the config's files.nodeLabels (the selector is proven by the golden files).
      ...NODES.map((n) => `--node=${n}=${TOPOLOGY[n].v4},${TOPOLOGY[n].v6}`),
    ],
    {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      hostAddresses: () => [],
      hostname: () => 'lab',
      kubeClient: () => Promise.reject(new Error('files mode only')),
    },
  );
  if (code !== 0) throw new Error(`router-config --for ${target} exited ${code}: ${err}`);
  return { text: out, stderr: err };
}

export async function startLab(opts: {
  family: string;
  target: Target;
  bfd?: BfdProfile;
  startRouter(lan: Lan, config: string): Promise<{ stop(): Promise<void> }>;
}): Promise<Lab> {
  const lan = await createLan({ family: opts.family, hosts: { router, worker, pi4, master } });
  const dir = join(lan.dir, 'edgelb');
  mkdirSync(join(dir, 'manifests'), { recursive: true });
  const text = manifests(opts.bfd);
  writeFileSync(join(dir, 'manifests', 'lab.yaml'), text);
  writeFileSync(join(dir, 'config.yaml'), 'source: files\nfiles:\n  nodeLabels: {peering: "yes"}\n');
  const speakers = new Map<string, SpeakerProcess>();
  const bfd = new Map<string, BfdProcess>();
  let routerProc: { stop(): Promise<void> } | undefined;
  const destroy = async () => {
    await Promise.all([...speakers.values()].map((s) => s.stop('withdraw')));
    await Promise.all([...bfd.values()].map((b) => b.stop()));
    await routerProc?.stop();
    await lan.destroy();
  };
  try {
    const gen = await generate(opts.target, dir);
    const config = gen.text.replace(PLACEHOLDER_PATTERN, PASSWORD);
    routerProc = await opts.startRouter(lan, config);
    const objects = readManifests(join(dir, 'manifests'));
    for (const host of NODES) {
      const a = TOPOLOGY[host];
      const plan = planAnnouncements({
        nodeName: host,
        nodeLabels: { peering: 'yes' },
        policies: objects.policies,
        services: [],
        endpointSlices: [],
        secrets: new Map([['kube-system/bgp-auth', { password: PASSWORD }]]),
        defaultSecretNamespace: 'kube-system',
      });
      const peers = plan.peers.map((p) => ({ ...p, localAddress: a.v4 }));
      const ads = [IN_POOL.v4, IN_POOL.v6, OUTSIDE.v4, OUTSIDE.v6];
      speakers.set(
        host,
        startSpeaker(lan, host, {
          routerId: a.v4,
          hostname: host,
          nextHopV4: a.v4,
          nextHopV6: a.v6,
          peers,
          advertisements: Object.fromEntries(peers.map((p) => [p.id, ads])),
        }),
      );
      if (opts.bfd)
        bfd.set(host, startBfdMain(lan, host, { peers: [{ peer: router.v4, profile: opts.bfd }] }));
    }
    return { lan, dir, config, stderr: gen.stderr, speakers, bfd, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** The BFD profile both router tests run (asymmetric, so swapped timers would show). */
export const PROFILE = {
  receiveIntervalMs: 200,
  transmitIntervalMs: 100,
  detectMultiplier: 4,
  passiveMode: false,
  minimumTtl: 254,
};
export const NODE_ADDRS = [worker.v4, pi4.v4].sort();
export const NODE_ADDRS6 = [worker.v6, pi4.v6].sort();
