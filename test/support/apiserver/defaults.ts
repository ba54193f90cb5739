// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * Defaulting the real API server applies on write, for the fields clients read back:
 * Service clusterIPs / ipFamilies / nodePorts / protocols, Secret stringData, Namespace phase.
 */

export class ServiceAllocator {
  private nextV4 = 10;
  private nextV6 = 10;
  private nextNodePort = 30000;

  clusterIP(family: string): string {
    if (family === 'IPv6') return `fd00:43::${(this.nextV6++).toString(16)}`;
    const n = this.nextV4++;
    return `10.43.${(n >> 8) & 255}.${n & 255}`;
  }

  nodePort(): number {
    return this.nextNodePort++;
  }
}

export function defaultService(svc: any, old: any | undefined, alloc: ServiceAllocator): void {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  const headless = spec.clusterIP === 'None';
  const families: string[] =
    spec.ipFamilies ??
    old?.spec?.ipFamilies ??
    (spec.clusterIP && String(spec.clusterIP).includes(':') ? ['IPv6'] : ['IPv4']);
  spec.ipFamilyPolicy ??= old?.spec?.ipFamilyPolicy ?? 'SingleStack';
  if (spec.ipFamilyPolicy !== 'SingleStack' && families.length === 1)
    families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  spec.ipFamilies = spec.ipFamilyPolicy === 'SingleStack' ? families.slice(0, 1) : families.slice(0, 2);
  if (spec.type !== 'ExternalName') {
    if (headless) spec.clusterIPs = ['None'];
    else if (old?.spec?.clusterIPs && !spec.clusterIP) {
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = old.spec.clusterIPs;
    } else {
      spec.clusterIP ??= alloc.clusterIP(spec.ipFamilies[0]);
      spec.clusterIPs ??= [spec.clusterIP];
      if (spec.ipFamilies.length > spec.clusterIPs.length)
        spec.clusterIPs.push(alloc.clusterIP(spec.ipFamilies[1]));
    }
  }
  const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort';
  if (external) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  const oldPorts: any[] = old?.spec?.ports ?? [];
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
    const wantsNodePort =
      spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts);
    if (wantsNodePort && p.nodePort === undefined) {
      const prev = oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol);
      p.nodePort = prev?.nodePort ?? alloc.nodePort();
    }
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')
    spec.healthCheckNodePort ??= old?.spec?.healthCheckNodePort ?? alloc.nodePort();
  svc.status ??= { loadBalancer: {} };
  svc.status.loadBalancer ??= {};
}

export function defaultSecret(secret: any): void {
  secret.type ??= 'Opaque';
  if (secret.stringData && typeof secret.stringData === 'object') {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData))
      secret.data[k] = Buffer.from(String(v)).toString('base64');
    delete secret.stringData;
  }
}

export function defaultNamespace(ns: any): void {
  ns.spec ??= {};
  ns.spec.finalizers ??= ['kubernetes'];
  ns.status ??= {};
  ns.status.phase ??= 'Active';
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
}
