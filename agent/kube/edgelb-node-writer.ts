/**
 * Writes this node's EdgeLBNode: a merge patch of status; when the object does not exist yet,
 * creates it (named after the Node, owned by it when its uid is known, so deleting the Node
 * deletes it) and patches again.
 */
import type { EdgeLBNodeStatus } from '../api/edgelb-node.ts';
import { API_VERSION, GROUP, PLURALS, VERSION } from '../api/v1alpha1.ts';
import { KubeApiError, type KubeClient } from './transport.ts';

const MERGE_PATCH = 'application/merge-patch+json';
const NOT_FOUND = 404;
const CONFLICT = 409;

export function edgelbNodeWriter(
  client: Pick<KubeClient, 'request'>,
  nodeName: string,
  nodeUid: () => string | undefined,
): (status: EdgeLBNodeStatus) => Promise<void> {
  const collection = `/apis/${GROUP}/${VERSION}/${PLURALS.EdgeLBNode}`;
  const path = `${collection}/${encodeURIComponent(nodeName)}`;
  const patch = () =>
    client.request('PATCH', `${path}/status`, { body: { status: latest }, contentType: MERGE_PATCH });
  let latest: EdgeLBNodeStatus | undefined;
  return async (status) => {
    latest = status;
    try {
      await patch();
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.status !== NOT_FOUND) throw err;
      const uid = nodeUid();
      const owner = uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }] } : {};
      try {
        await client.request('POST', collection, {
          body: {
            apiVersion: API_VERSION,
            kind: 'EdgeLBNode',
            metadata: { name: nodeName, ...owner },
            spec: {},
          },
        });
      } catch (e) {
        if (!(e instanceof KubeApiError) || e.status !== CONFLICT) throw e;
      }
      await patch();
    }
  };
}
