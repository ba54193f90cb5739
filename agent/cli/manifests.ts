/** `edgelb manifests`: prints the CRDs and the RBAC as YAML for `kubectl apply -f -`. */
import { stringify } from 'yaml';
import { allManifests } from '../kube/manifests.ts';
import { type Command, noPositionals, type OptionSpec, parseOrUsage } from './args.ts';

const usage = `Usage: edgelb manifests [--namespace NS] [--lease-name NAME] [--secrets NAME,...] [--l2-nodes NODE,...]

Prints the CustomResourceDefinitions (LoadBalancerIPPool, BGPPeeringPolicy) and the RBAC
the node agents need (ServiceAccount, ClusterRole, Role for the leader-election Lease,
bindings) as YAML:  edgelb manifests | kubectl apply -f -

  --namespace NS     namespace of the ServiceAccount, the Lease and BGP password Secrets (kube-system)
  --lease-name NAME  the leader-election Lease (edgelb)
  --secrets LIST     Secrets named by authSecretRef, readable by edgelb (none)
  --l2-nodes LIST    L2 mode: nodes that renew a heartbeat Lease edgelb-node-<node> in NS (none;
                     "*" allows every Lease of NS: only for a namespace of edgelb's own)`;

export function renderManifests(o: {
  namespace: string;
  leaseName: string;
  secretNames: string[];
  l2Nodes?: string[];
}): string {
  const header = [
    '# edgelb: CRDs and RBAC. Apply with: edgelb manifests | kubectl apply -f -',
    `# The node agents authenticate as ServiceAccount ${o.namespace}/edgelb; "edgelb kubeconfig" sets this up and writes a kubeconfig for the nodes.`,
  ];
  if (o.secretNames.length === 0) {
    header.push(
      '# BGP passwords (authSecretRef): rerun with --secrets NAME,... to let edgelb read those Secrets.',
    );
  }
  if (!o.l2Nodes?.length) {
    header.push(
      '# L2 mode (L2AnnouncementPolicy): rerun with --l2-nodes NODE,... so nodes can renew their heartbeat Lease.',
    );
  }
  const docs = allManifests(o).map((m) =>
    stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd(),
  );
  return `${header.join('\n')}\n---\n${docs.join('\n---\n')}\n`;
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const MANIFESTS_OPTIONS = {
  namespace: { type: 'string' },
  'lease-name': { type: 'string' },
  secrets: { type: 'string' },
  'l2-nodes': { type: 'string' },
} as const satisfies OptionSpec;

export async function main(argv: string[]): Promise<number> {
  const args = parseOrUsage(argv, MANIFESTS_OPTIONS, usage);
  if (!args) return 0;
  noPositionals(args.positionals, usage);
  const secretNames = list(args.values.secrets);
  process.stdout.write(
    renderManifests({
      namespace: args.values.namespace || 'kube-system',
      leaseName: args.values['lease-name'] || 'edgelb',
      secretNames,
      l2Nodes: list(args.values['l2-nodes']),
    }),
  );
  return 0;
}

export const manifestsCommand: Command = {
  name: 'manifests',
  summary: 'print the CRDs and RBAC as YAML',
  usage,
  options: MANIFESTS_OPTIONS,
  run: main,
};
