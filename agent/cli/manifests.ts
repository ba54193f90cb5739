/** `edgelb manifests`: prints the CRDs and the RBAC as YAML for `kubectl apply -f -`. */
import { stringify } from 'yaml';
import { allManifests } from '../kube/manifests.ts';
import { type Command, noPositionals, parseOrUsage } from './args.ts';

const usage = `Usage: edgelb manifests [--namespace NS] [--lease-name NAME] [--secrets NAME,...]

Prints the CustomResourceDefinitions (LoadBalancerIPPool, BGPPeeringPolicy) and the RBAC
the node agents need (ServiceAccount, ClusterRole, Role for the leader-election Lease,
bindings) as YAML:  edgelb manifests | kubectl apply -f -

  --namespace NS     namespace of the ServiceAccount, the Lease and BGP password Secrets (kube-system)
  --lease-name NAME  the leader-election Lease (edgelb)
  --secrets LIST     Secrets named by authSecretRef, readable by edgelb (none)`;

export function renderManifests(o: { namespace: string; leaseName: string; secretNames: string[] }): string {
  const header = [
    '# edgelb: CRDs and RBAC. Apply with: edgelb manifests | kubectl apply -f -',
    `# The node agents authenticate as ServiceAccount ${o.namespace}/edgelb; "edgelb kubeconfig" sets this up and writes a kubeconfig for the nodes.`,
  ];
  if (o.secretNames.length === 0) {
    header.push(
      '# BGP passwords (authSecretRef): rerun with --secrets NAME,... to let edgelb read those Secrets.',
    );
  }
  const docs = allManifests(o).map((m) => stringify(m, { lineWidth: 0 }).trimEnd());
  return `${header.join('\n')}\n---\n${docs.join('\n---\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseOrUsage(
    argv,
    { namespace: { type: 'string' }, 'lease-name': { type: 'string' }, secrets: { type: 'string' } },
    usage,
  );
  if (!args) return 0;
  noPositionals(args.positionals, usage);
  const secretNames = (args.values.secrets ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  process.stdout.write(
    renderManifests({
      namespace: args.values.namespace || 'kube-system',
      leaseName: args.values['lease-name'] || 'edgelb',
      secretNames,
    }),
  );
  return 0;
}

export const manifestsCommand: Command = {
  name: 'manifests',
  summary: 'print the CRDs and RBAC as YAML',
  usage,
  run: main,
};
