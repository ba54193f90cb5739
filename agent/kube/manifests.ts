/**
 * PURE. What `edgelb manifests` prints: the CRDs (their OpenAPI v3 schemas come from the
 * resource definitions in agent/api/, with a description for every field; here only
 * names, printer columns, the status subresource and short names) and the RBAC the node
 * agents need (ServiceAccount, a minimal ClusterRole, a Role for the one Lease,
 * bindings). Objects are plain data; cli/manifests.ts renders them as YAML.
 */
import { bfdProfileResource } from '../api/bfd-profile.ts';
import { edgelbNodeResource } from '../api/edgelb-node.ts';
import { l2PolicyResource } from '../api/l2-announcement-policy.ts';
import { policyResource } from '../api/peering-policy.ts';
import { poolResource } from '../api/pool.ts';
import { GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';

type Schema = Record<string, unknown>;

interface CrdSource {
  kind: string;
  schema: Schema;
}

const VALID_COLUMN = {
  name: 'Valid',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Valid")].status',
};

function crd(r: CrdSource, shortName: string, columns: Schema[]) {
  const kind = r.kind;
  const plural = PLURALS[kind as keyof typeof PLURALS];
  const hasStatus = (r.schema.properties as Schema).status !== undefined;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Cluster',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: [shortName],
        categories: ['edgelb'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(hasStatus ? { subresources: { status: {} } } : {}),
          schema: { openAPIV3Schema: r.schema },
          additionalPrinterColumns: [
            ...columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

export function customResourceDefinitions() {
  return [
    crd(poolResource, 'lbpool', [
      { name: 'Blocks', type: 'string', jsonPath: '.status.blocks' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled' },
      { name: 'Used', type: 'string', jsonPath: '.status.ipsUsed' },
      { name: 'Available', type: 'string', jsonPath: '.status.ipsAvailable' },
      { name: 'Conflict', type: 'string', jsonPath: '.status.conditions[?(@.type=="Conflict")].status' },
    ]),
    crd(policyResource, 'bgppolicy', [
      { name: 'Node Selector', type: 'string', jsonPath: '.spec.nodeSelector.matchLabels' },
      { name: 'Routers', type: 'string', jsonPath: '.spec.virtualRouters[*].neighbors[*].peerAddress' },
      VALID_COLUMN,
    ]),
    crd(bfdProfileResource, 'bfd', [
      { name: 'RX ms', type: 'integer', jsonPath: '.spec.receiveIntervalMilliseconds' },
      { name: 'TX ms', type: 'integer', jsonPath: '.spec.transmitIntervalMilliseconds' },
      { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
    ]),
    crd(l2PolicyResource, 'l2policy', [
      { name: 'Pools', type: 'string', jsonPath: '.spec.pools' },
      { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
      VALID_COLUMN,
    ]),
    crd(edgelbNodeResource, 'elbnode', [
      { name: 'Peers Up', type: 'integer', jsonPath: '.status.peersUp' },
      { name: 'Announced', type: 'integer', jsonPath: '.status.announced' },
      { name: 'Blocked', type: 'integer', jsonPath: '.status.blockedTotal' },
      { name: 'L2 Owned', type: 'integer', jsonPath: '.status.l2OwnedTotal' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
    ]),
  ];
}

export interface RbacOptions {
  /** Namespace of the ServiceAccount, the Lease and the BGP password Secrets. */
  namespace: string;
  leaseName: string;
  name?: string;
  /** Secrets named by authSecretRef (BGP passwords) in `namespace`: read access to exactly these. */
  secretNames?: string[];
  /**
   * L2 mode: the nodes that renew a heartbeat Lease edgelb-node-<node> in `namespace`, which they
   * may then read and update; ["*"]: every Lease of the namespace (only for a namespace of its own).
   */
  l2Nodes?: string[];
}

/** The heartbeat Lease name of a node (l2/heartbeat-lease.ts; kube cannot import l2). */
const HEARTBEAT_LEASE_PREFIX = 'edgelb-node-';

export function rbac(o: RbacOptions) {
  const name = o.name ?? 'edgelb';
  const ns = o.namespace;
  const read = ['get', 'list', 'watch'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['services', 'nodes'], verbs: read },
        // Pools' namespaceSelector reads the Namespaces' labels.
        { apiGroups: [''], resources: ['namespaces'], verbs: read },
        { apiGroups: [''], resources: ['services/status'], verbs: ['get', 'update', 'patch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
        { apiGroups: [GROUP], resources: Object.values(PLURALS), verbs: read },
        {
          apiGroups: [GROUP],
          resources: [PLURALS.LoadBalancerIPPool, PLURALS.BGPPeeringPolicy, PLURALS.L2AnnouncementPolicy].map(
            (p) => `${p}/status`,
          ),
          verbs: ['get', 'update', 'patch'],
        },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
        // Each node creates and writes its own EdgeLBNode. RBAC cannot tell the nodes apart (one
        // ServiceAccount for all), so any node may write any node's object (README, security).
        { apiGroups: [GROUP], resources: [PLURALS.EdgeLBNode], verbs: ['create', 'update', 'patch'] },
        {
          apiGroups: [GROUP],
          resources: [`${PLURALS.EdgeLBNode}/status`],
          verbs: ['get', 'update', 'patch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules: [
        // create cannot be limited to one name; everything else is, to the one Lease
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [o.leaseName],
          verbs: ['get', 'update', 'patch', 'watch'],
        },
        // L2 mode: every node watches every node's heartbeat Lease (a label selector cannot be
        // limited by name), and renews its own
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list', 'watch'] },
        ...(o.l2Nodes?.length
          ? [
              {
                apiGroups: ['coordination.k8s.io'],
                resources: ['leases'],
                ...(o.l2Nodes.includes('*')
                  ? {}
                  : { resourceNames: o.l2Nodes.map((n) => `${HEARTBEAT_LEASE_PREFIX}${n}`) }),
                verbs: ['get', 'update', 'patch'],
              },
            ]
          : []),
        // BGP passwords named by authSecretRef: read by name, so get on exactly these
        ...(o.secretNames?.length
          ? [{ apiGroups: [''], resources: ['secrets'], resourceNames: o.secretNames, verbs: ['get'] }]
          : []),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    },
  ];
}

export function allManifests(o: RbacOptions = { namespace: 'kube-system', leaseName: 'edgelb' }) {
  return [...customResourceDefinitions(), ...rbac(o)];
}
