/** kube/describe-request.ts: a request named as RBAC names it, for every verb and path shape. */
import { expect, test } from 'bun:test';
import { describeRequest, type RequestQuery } from '../../agent/kube/describe-request.ts';

test.each<[string, string, RequestQuery | undefined, string, string]>([
  ['GET', '/api/v1/services', undefined, 'list', 'services'],
  ['GET', '/api/v1/services', { watch: true }, 'watch', 'services'],
  ['GET', '/api/v1/services', { watch: false }, 'list', 'services'],
  ['get', '/api/v1/namespaces/a/services/b', undefined, 'get', 'services'],
  ['GET', '/api/v1/namespaces/a/services', undefined, 'list', 'services'],
  ['GET', '/api/v1/nodes/n1?x=1', undefined, 'get', 'nodes'],
  ['POST', '/apis/events.k8s.io/v1/namespaces/a/events', undefined, 'create', 'events.events.k8s.io'],
  ['PUT', '/api/v1/namespaces/a/services/b/status', undefined, 'update', 'services/status'],
  [
    'PATCH',
    '/apis/edgelb.io/v1alpha1/loadbalancerippools/p/status',
    undefined,
    'patch',
    'loadbalancerippools/status.edgelb.io',
  ],
  [
    'DELETE',
    '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x',
    undefined,
    'delete',
    'leases.coordination.k8s.io',
  ],
  ['HEAD', '/api/v1/services', undefined, 'get', 'services'],
  ['GET', '/', undefined, 'list', ''],
  // A namespace itself is not a namespaced path; a query may hold a slash.
  ['GET', '/api/v1/namespaces/a', undefined, 'get', 'namespaces'],
  ['GET', '/api/v1/namespaces', undefined, 'list', 'namespaces'],
  ['GET', '/api/v1/services?labelSelector=a/b', undefined, 'list', 'services'],
])('%s %s %o: %s %s', (method, path, query, verb, resource) => {
  expect(describeRequest(method, path, query)).toEqual({ verb, resource });
});
