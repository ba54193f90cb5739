/** A small CRD used by the API server tests (cluster-scoped by default, with a status subresource). */
export function widgetCrd(plural = 'widgets', kind = 'Widget', scope: 'Cluster' | 'Namespaced' = 'Cluster') {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.edgelb.io` },
    spec: {
      group: 'example.edgelb.io',
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, shortNames: plural === 'widgets' ? ['wdg'] : [] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    color: { type: 'string', enum: ['red', 'blue'] },
                  },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

export const SVC = '/api/v1/namespaces/default/services';
export const cond = (type: string, status: string) => ({
  type,
  status,
  reason: 'Test',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
export const svc = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name, tier: 'web' } },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra },
});
