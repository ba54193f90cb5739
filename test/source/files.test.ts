import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceObject } from '../../agent/api/core.ts';
import { SERVICE_CONDITION } from '../../agent/api/v1alpha1.ts';
import { type Clock, FakeClock, systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { FilesSource } from '../../agent/source/files.ts';
import type { ServiceStatusWrite } from '../../agent/source/types.ts';

const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');

let root: string;
let manifests: string;
let statePath: string;
const sources: FilesSource[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'edgelb-files-'));
  manifests = join(root, 'manifests.d');
  statePath = join(root, 'lib', 'state.json');
  cpSync(BLOG, manifests, { recursive: true });
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

function make(opts: { clock?: Clock; debounceMs?: number } = {}) {
  const log = memoryLogger();
  const src = new FilesSource({
    manifests,
    state: statePath,
    nodeName: 'pi4',
    nodeLabels: { peering: 'yes' },
    nodeAddress: '192.168.2.12',
    clock: opts.clock ?? new FakeClock(Date.UTC(2025, 0, 1)),
    log,
    debounceMs: opts.debounceMs ?? 20,
  });
  sources.push(src);
  let changes = 0;
  const started = src.start(() => changes++);
  return { src, log, started, changes: () => changes };
}

const allocated = (ip: string): ServiceStatusWrite => ({
  ips: [ip],
  condition: { type: SERVICE_CONDITION, status: 'True', reason: 'Allocated', message: `allocated ${ip}` },
});

function svc(src: FilesSource, name: string): ServiceObject {
  const s = src.observe().services.find((x) => x.metadata.name === name);
  if (!s) throw new Error(`no Service ${name}`);
  return s;
}

/** Polls (bounded) until cond holds; the watcher runs on the real clock with a 20 ms debounce. */
async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

describe('FilesSource', () => {
  test('loads the blog manifests (multi-document) and synthesizes this node', async () => {
    const { src, started } = make();
    await started;
    const o = src.observe();
    expect(o.synced).toBe(true);
    expect(o.pools.map((p) => [p.metadata.name, p.spec.blocks])).toEqual([
      ['blog-pool', [{ cidr: '172.198.1.0/30' }]],
    ]);
    expect(o.policies[0]!.spec.virtualRouters[0]!.neighbors[0]!.peerAddress).toBe('192.168.2.1');
    expect(o.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      'ingress-nginx/ingress-nginx',
      'ingress-nginx/ingress-nginx-internal',
    ]);
    expect(svc(src, 'ingress-nginx').metadata.annotations).toEqual({
      'io.cilium/lb-ipam-ips': '172.198.1.1',
    });
    expect(o.node).toEqual({
      metadata: { name: 'pi4', labels: { 'kubernetes.io/hostname': 'pi4', peering: 'yes' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.2.12' }] },
    });
    expect([src.leadership.isLeader(), src.leadership.holder()]).toEqual([true, 'pi4']);
    expect(src.problems()).toEqual([]);
  });

  test('keeps only LoadBalancer Services of its class; reads Secrets and EndpointSlices; ignores other kinds', async () => {
    writeFileSync(
      join(manifests, 'extra.yml'),
      `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: ClusterIP, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: x}
spec: {type: LoadBalancer, loadBalancerClass: example.com/other}
---
apiVersion: v1
kind: Secret
metadata: {name: bgp-auth, namespace: kube-system}
data: {password: aHVudGVyMg==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ingress-nginx-abc, namespace: ingress-nginx, labels: {kubernetes.io/service-name: ingress-nginx}}
addressType: IPv4
endpoints: [{addresses: [10.42.0.7], nodeName: pi4, conditions: {ready: true}}]
`,
    );
    writeFileSync(join(manifests, 'README.md'), 'not a manifest: ignored');
    const { src, started } = make();
    await started;
    const o = src.observe();
    expect(o.services.map((s) => s.metadata.name)).toEqual(['ingress-nginx', 'ingress-nginx-internal']);
    expect(o.secrets.get('kube-system/bgp-auth')).toEqual({ password: 'hunter2' });
    expect(o.endpointSlices.map((s) => s.endpoints![0]!.nodeName)).toEqual(['pi4']);
    expect(src.problems()).toEqual([]);
    // A Service it does not hand out is "gone" for the writer.
    const clusterIP: ServiceObject = {
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'ClusterIP' },
    };
    expect(await src.writer.writeServiceStatus(clusterIP, allocated('172.198.1.2'))).toBe(false);
  });

  test('status goes to the state file, only when changed, keeping lastTransitionTime while the status holds', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const { src, started } = make({ clock });
    await started;
    const s = svc(src, 'ingress-nginx');
    expect(s.status).toEqual({ loadBalancer: {} });
    expect(await src.writer.writeServiceStatus(s, allocated('172.198.1.1'))).toBe(true);
    await src.writer.flush!(); // a reconcile pass ends with one flush
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    const ino = statSync(statePath).ino;
    expect(svc(src, 'ingress-nginx').status).toEqual({
      loadBalancer: { ingress: [{ ip: '172.198.1.1', ipMode: 'VIP' }] },
      conditions: [{ ...allocated('172.198.1.1').condition, lastTransitionTime: '2025-01-01T00:00:00Z' }],
    });
    clock.advance(60_000);
    // Same status again: no write at all (the file keeps its inode).
    expect(await src.writer.writeServiceStatus(s, allocated('172.198.1.1'))).toBe(true);
    await src.writer.flush!();
    expect(statSync(statePath).ino).toBe(ino);
    // Another message, same condition status: written, lastTransitionTime kept.
    await src.writer.writeServiceStatus(s, {
      ips: ['172.198.1.1'],
      condition: { ...allocated('172.198.1.1').condition, message: 'still there' },
    });
    expect(svc(src, 'ingress-nginx').status!.conditions![0]!.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    // Status flips: a new transition time.
    await src.writer.writeServiceStatus(s, {
      ips: [],
      condition: { type: SERVICE_CONDITION, status: 'False', reason: 'PoolExhausted', message: 'no IP left' },
    });
    const after = svc(src, 'ingress-nginx').status!;
    expect(after.loadBalancer).toEqual({});
    expect(after.conditions![0]!.lastTransitionTime).toBe('2025-01-01T00:01:00Z');
    await src.writer.flush!();
    const onDisk = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(onDisk.services['ingress-nginx/ingress-nginx'].condition.reason).toBe('PoolExhausted');
    // A Service that is not in the manifests.
    const gone = { ...s, metadata: { ...s.metadata, name: 'gone' } };
    expect(await src.writer.writeServiceStatus(gone, allocated('172.198.1.2'))).toBe(false);
  });

  test('a failed persist is reported and retried at the next flush', async () => {
    const { src, started } = make();
    await started;
    const s = svc(src, 'ingress-nginx');
    const blocker = `${statePath}.tmp-${process.pid}`;
    mkdirSync(blocker, { recursive: true });
    expect(await src.writer.writeServiceStatus(s, allocated('172.198.1.1'))).toBe(true);
    const err = await src.writer.flush!().catch((e) => e);
    expect(err.code).toBe('state-write-failed');
    expect(src.problems()).toHaveLength(1);
    expect(src.problems()[0]).toStartWith(`cannot write the state file ${statePath}: `);
    rmSync(blocker, { recursive: true });
    // The same status again: nothing changed in memory; the pass's flush does the pending write.
    expect(await src.writer.writeServiceStatus(s, allocated('172.198.1.1'))).toBe(true);
    await src.writer.flush!();
    expect(src.problems()).toEqual([]);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).services['ingress-nginx/ingress-nginx'].ips).toEqual([
      '172.198.1.1',
    ]);
  });

  test('pool and policy status are kept in the state file', async () => {
    const { src, started } = make();
    await started;
    const o = src.observe();
    await src.writer.writePoolStatus(o.pools[0]!, {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: '' }],
      ipsTotal: '2',
      ipsUsed: '1',
      ipsAvailable: '1',
    });
    await src.writer.writePolicyStatus(o.policies[0]!, {
      type: 'Valid',
      status: 'True',
      reason: 'Ok',
      message: '',
    });
    const o2 = src.observe();
    expect(o2.pools[0]!.status).toEqual({
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ok',
          message: '',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
      ipsTotal: '2',
      ipsUsed: '1',
      ipsAvailable: '1',
    });
    expect(o2.policies[0]!.status!.conditions!.map((c) => c.type)).toEqual(['Valid']);
    expect(Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).pools)).toEqual(['blog-pool']);
  });

  test('a restart keeps the allocations from the state file', async () => {
    const first = make();
    await first.started;
    await first.src.writer.writeServiceStatus(svc(first.src, 'ingress-nginx'), allocated('172.198.1.1'));
    await first.src.writer.writeServiceStatus(
      svc(first.src, 'ingress-nginx-internal'),
      allocated('172.198.1.2'),
    );
    await first.src.stop();
    const second = make();
    await second.started;
    const ips = second.src.observe().services.map((s) => s.status!.loadBalancer!.ingress!.map((i) => i.ip));
    expect(ips).toEqual([['172.198.1.1'], ['172.198.1.2']]);
  });

  test('a bad manifest is reported by file and object, and the last good version stays', async () => {
    const { src, log, started } = make();
    await started;
    const pool = join(manifests, 'pool.yaml');
    const good = readFileSync(pool, 'utf8');
    writeFileSync(pool, good.replace('172.198.1.0/30', '172.198.1.0/33'));
    await src.reload();
    expect(src.problems()).toEqual([
      `${pool}: document 1 (LoadBalancerIPPool blog-pool): spec.blocks[0].cidr: "172.198.1.0/33" is not a valid CIDR: prefix length must be 0..32; keeping the last good version of the file`,
    ]);
    expect(src.observe().pools[0]!.spec.blocks).toEqual([{ cidr: '172.198.1.0/30' }]);
    expect(
      log.lines.some((l) => l.includes('"level":"error"') && l.includes('prefix length must be 0..32')),
    ).toBe(true);
    // Broken YAML in the same file: still the last good version.
    writeFileSync(pool, 'kind: LoadBalancerIPPool\nspec: [\n');
    await src.reload();
    expect(src.problems()[0]).toStartWith(`${pool}: document 1 is not valid YAML at line 3`);
    expect(src.observe().pools).toHaveLength(1);
    // Fixed: the new version is used and the problem goes away.
    writeFileSync(pool, good.replace('172.198.1.0/30', '10.9.0.0/29'));
    await src.reload();
    expect(src.problems()).toEqual([]);
    expect(src.observe().pools[0]!.spec.blocks).toEqual([{ cidr: '10.9.0.0/29' }]);
  });

  test('a bad file at first load: its good documents are used, the bad ones reported; allocations are not pruned', async () => {
    const first = make();
    await first.started;
    await first.src.writer.writeServiceStatus(
      svc(first.src, 'ingress-nginx-internal'),
      allocated('172.198.1.2'),
    );
    await first.src.stop();
    const services = join(manifests, 'services.yaml');
    writeFileSync(
      services,
      readFileSync(services, 'utf8').replace('name: ingress-nginx-internal', 'name: Ingress_Internal'),
    );
    const second = make();
    await second.started;
    expect(second.src.problems()).toEqual([
      `${services}: document 2 (Service ingress-nginx/Ingress_Internal): metadata.name: must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got "Ingress_Internal"`,
    ]);
    expect(second.src.observe().services.map((s) => s.metadata.name)).toEqual(['ingress-nginx']);
    // The internal Service's allocation survives while its file is broken.
    expect(
      JSON.parse(readFileSync(statePath, 'utf8')).services['ingress-nginx/ingress-nginx-internal'].ips,
    ).toEqual(['172.198.1.2']);
  });

  test('removing a Service from the manifests releases its allocation', async () => {
    const { src, log, started } = make();
    await started;
    await src.writer.writeServiceStatus(svc(src, 'ingress-nginx-internal'), allocated('172.198.1.2'));
    unlinkSync(join(manifests, 'services.yaml'));
    await src.reload();
    expect(src.observe().services).toEqual([]);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).services).toEqual({});
    expect(log.lines.some((l) => l.includes('allocation released'))).toBe(true);
  });

  test('duplicates and Cilium kinds are reported', async () => {
    writeFileSync(
      join(manifests, 'z-dup.yaml'),
      `apiVersion: edgelb.io/v1alpha1
kind: LoadBalancerIPPool
metadata: {name: blog-pool}
spec: {blocks: [{cidr: 10.0.0.0/24}]}
---
apiVersion: cilium.io/v2alpha1
kind: CiliumLoadBalancerIPPool
metadata: {name: c}
spec: {cidrs: [{cidr: 10.1.0.0/24}]}
`,
    );
    const { src, started } = make();
    await started;
    const f = join(manifests, 'z-dup.yaml');
    expect(src.problems()).toEqual([
      `${f}: document 2 (CiliumLoadBalancerIPPool c): kind: CiliumLoadBalancerIPPool is a Cilium or MetalLB kind: convert it with "edgelb convert -f FILE"`,
      `${f}: document 1 (LoadBalancerIPPool blog-pool): also defined in ${join(manifests, 'pool.yaml')} document 1; using that one`,
    ]);
    expect(src.observe().pools[0]!.spec.blocks).toEqual([{ cidr: '172.198.1.0/30' }]);
  });

  test('reload() (SIGHUP) signals a change only when something changed', async () => {
    const { src, started, changes } = make();
    await started;
    await Bun.sleep(0);
    const before = changes();
    await src.reload();
    await Bun.sleep(0);
    expect(changes()).toBe(before);
    const pool = join(manifests, 'pool.yaml');
    writeFileSync(pool, readFileSync(pool, 'utf8').replace('172.198.1.0/30', '10.30.0.0/30'));
    await src.reload();
    await Bun.sleep(0);
    expect(changes()).toBe(before + 1);
    expect(src.observe().pools[0]!.spec.blocks).toEqual([{ cidr: '10.30.0.0/30' }]);
  });

  test('reloads on its own when a file changes (debounced watch)', async () => {
    const { src, started, changes } = make({ clock: systemClock, debounceMs: 20 });
    await started;
    const before = changes();
    const pool = join(manifests, 'pool.yaml');
    writeFileSync(pool, readFileSync(pool, 'utf8').replace('172.198.1.0/30', '10.20.0.0/28'));
    await until(() => src.observe().pools[0]?.spec.blocks[0]?.cidr === '10.20.0.0/28', 'the edited pool');
    await until(() => changes() > before, 'onChange');
    writeFileSync(join(manifests, 'new.yaml'), readFileSync(pool, 'utf8').replace('blog-pool', 'second'));
    await until(() => src.observe().pools.length === 2, 'the new file');
  });

  test('events are logged at info, repeats suppressed', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const { src, log, started } = make({ clock });
    await started;
    const s = svc(src, 'ingress-nginx');
    const events = () => log.lines.filter((l) => l.includes('"msg":"event"'));
    src.writer.event(s, 'Allocated', 'Normal', 'allocated 172.198.1.1');
    src.writer.event(s, 'Allocated', 'Normal', 'allocated 172.198.1.1');
    expect(events()).toHaveLength(1);
    expect(JSON.parse(events()[0]!)).toMatchObject({
      level: 'info',
      service: 'ingress-nginx/ingress-nginx',
      reason: 'Allocated',
      type: 'Normal',
      message: 'allocated 172.198.1.1',
    });
    src.writer.event(s, 'Released', 'Normal', 'released 172.198.1.1');
    expect(events()).toHaveLength(2);
  });

  test('a missing manifests directory is a problem, not a crash', async () => {
    rmSync(manifests, { recursive: true });
    const { src, started } = make();
    await started;
    expect(src.problems()).toEqual([
      `manifests directory ${manifests} does not exist; keeping the objects loaded before`,
    ]);
    expect(src.observe().services).toEqual([]);
    cpSync(BLOG, manifests, { recursive: true });
    await src.reload();
    expect(src.problems()).toEqual([]);
    expect(src.observe().services).toHaveLength(2);
  });
});
