/**
 * PURE. What `edgelb manifests` prints: the two CRDs (OpenAPI v3 schemas matching
 * agent/api/v1alpha1.ts, printer columns, status subresource, short names) and the RBAC
 * the node agents need (ServiceAccount, a minimal ClusterRole, a Role for the one Lease,
 * bindings). Objects are plain data; cli/manifests.ts renders them as YAML.
 */
import { GROUP, VERSION } from '../api/v1alpha1.ts';

type Schema = Record<string, unknown>;

const UINT32_MAX = 4294967295;
const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (minimum: number, maximum: number, extra: Schema = {}): Schema => ({
  type: 'integer',
  format: 'int64',
  minimum,
  maximum,
  ...extra,
});
const bool = (dflt?: boolean): Schema => ({
  type: 'boolean',
  ...(dflt === undefined ? {} : { default: dflt }),
});
const IP_PATTERN = '^[0-9a-fA-F:.]+$';

const labelSelector = (description: string): Schema => ({
  type: 'object',
  description,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: str({ maxLength: 317 }),
          operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
          values: { type: 'array', items: str() },
        },
      },
    },
  },
  'x-kubernetes-map-type': 'atomic',
});

const conditions: Schema = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'reason', 'lastTransitionTime'],
    properties: {
      type: str({ maxLength: 316 }),
      status: str({ enum: ['True', 'False', 'Unknown'] }),
      reason: str({ minLength: 1, maxLength: 1024 }),
      message: str({ maxLength: 32768 }),
      lastTransitionTime: str({ format: 'date-time' }),
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    },
  },
};

const count = str({ pattern: '^[0-9]+$' });

const poolSchema: Schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['blocks'],
      properties: {
        blocks: {
          type: 'array',
          minItems: 1,
          description: 'IPv4/IPv6 ranges: each either {cidr} or {start, stop}.',
          items: {
            type: 'object',
            properties: {
              cidr: str({ format: 'cidr', maxLength: 43 }),
              start: str({ pattern: IP_PATTERN, maxLength: 39 }),
              stop: str({ pattern: IP_PATTERN, maxLength: 39 }),
            },
            'x-kubernetes-validations': [
              {
                rule: 'has(self.cidr) ? !has(self.start) && !has(self.stop) : has(self.start) && has(self.stop)',
                message: 'a block is either {cidr} or {start, stop}',
              },
            ],
          },
        },
        disabled: bool(false),
        serviceSelector: labelSelector('Services this pool serves; absent = every Service.'),
        allowFirstLastIPs: bool(false),
        autoAssign: bool(true),
      },
    },
    status: {
      type: 'object',
      properties: { conditions, ipsTotal: count, ipsUsed: count, ipsAvailable: count },
    },
  },
};

const neighbor: Schema = {
  type: 'object',
  required: ['peerAddress', 'peerASN'],
  properties: {
    peerAddress: str({ pattern: '^[0-9a-fA-F:.]+(/(32|128))?$', maxLength: 43 }),
    peerPort: int(1, 65535, { default: 179 }),
    peerASN: int(1, UINT32_MAX),
    eBGPMultihopTTL: int(1, 255),
    connectRetryTimeSeconds: int(1, 2147483647, { default: 120 }),
    holdTimeSeconds: int(0, 65535, { default: 90 }),
    keepAliveTimeSeconds: int(1, 65535, { default: 30 }),
    gracefulRestart: {
      type: 'object',
      properties: { enabled: bool(false), restartTimeSeconds: int(1, 4095, { default: 120 }) },
    },
    advertisedPathAttributes: {
      type: 'object',
      properties: {
        communities: {
          type: 'object',
          properties: {
            standard: { type: 'array', items: str({ pattern: '^([0-9]{1,5}:[0-9]{1,5}|[0-9]{1,10})$' }) },
            large: { type: 'array', items: str({ pattern: '^[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10}$' }) },
          },
        },
        localPreference: int(0, UINT32_MAX),
      },
    },
    authSecretRef: {
      type: 'object',
      required: ['name'],
      properties: {
        name: str({ minLength: 1, maxLength: 253 }),
        namespace: str({ maxLength: 63 }),
        key: str(),
      },
    },
  },
};

const policySchema: Schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['virtualRouters'],
      properties: {
        nodeSelector: labelSelector('Nodes this policy applies to; absent or {} = every node.'),
        virtualRouters: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['localASN', 'neighbors'],
            properties: {
              localASN: int(1, UINT32_MAX),
              serviceSelector: labelSelector('Services announced; absent = none, {} = all.'),
              neighbors: { type: 'array', minItems: 1, items: neighbor },
            },
          },
        },
      },
    },
    status: { type: 'object', properties: { conditions } },
  },
};

function crd(kind: string, plural: string, shortName: string, schema: Schema, columns: Schema[]) {
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
          subresources: { status: {} },
          schema: { openAPIV3Schema: schema },
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
    crd('LoadBalancerIPPool', 'loadbalancerippools', 'lbpool', poolSchema, [
      { name: 'Blocks', type: 'string', jsonPath: '.spec.blocks[*].cidr' },
      { name: 'Disabled', type: 'boolean', jsonPath: '.spec.disabled' },
      { name: 'Used', type: 'string', jsonPath: '.status.ipsUsed' },
      { name: 'Available', type: 'string', jsonPath: '.status.ipsAvailable' },
      { name: 'Conflict', type: 'string', jsonPath: '.status.conditions[?(@.type=="Conflict")].status' },
    ]),
    crd('BGPPeeringPolicy', 'bgppeeringpolicies', 'bgppolicy', policySchema, [
      { name: 'Node Selector', type: 'string', jsonPath: '.spec.nodeSelector.matchLabels' },
      { name: 'Routers', type: 'string', jsonPath: '.spec.virtualRouters[*].neighbors[*].peerAddress' },
      { name: 'Valid', type: 'string', jsonPath: '.status.conditions[?(@.type=="Valid")].status' },
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
}

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
        { apiGroups: [''], resources: ['services/status'], verbs: ['get', 'update', 'patch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
        { apiGroups: [GROUP], resources: ['loadbalancerippools', 'bgppeeringpolicies'], verbs: read },
        {
          apiGroups: [GROUP],
          resources: ['loadbalancerippools/status', 'bgppeeringpolicies/status'],
          verbs: ['get', 'update', 'patch'],
        },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
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
