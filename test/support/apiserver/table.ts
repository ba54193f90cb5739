// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * meta.k8s.io/v1 Table output (what `kubectl get` asks for): per-kind columns for the
 * built-ins, additionalPrinterColumns for custom resources, Name + Age otherwise.
 */
import { evalJsonPath } from './jsonpath.ts';
import { crdVersion, type PrinterColumn, type ResourceDef } from './resources.ts';

type Col = { name: string; type: string; format?: string; priority?: number; description?: string };
type Cell = string | number | boolean | null;

export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '<invalid>';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age = (o: any): string =>
  o.metadata?.creationTimestamp
    ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp))
    : '<unknown>';

const NAME: Col = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
};
const AGE: Col = { name: 'Age', type: 'string', description: 'CreationTimestamp' };

function servicePorts(s: any): string {
  const ports = (s.spec?.ports ?? []).map(
    (p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`,
  );
  return ports.length > 0 ? ports.join(',') : '<none>';
}

function externalIp(s: any): string {
  const ing = (s.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).filter(Boolean);
  const ext = [...(s.spec?.externalIPs ?? []), ...ing];
  if (ext.length > 0) return ext.join(',');
  return s.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function builtinColumns(def: ResourceDef): { cols: Col[]; cells: (o: any) => Cell[] } | undefined {
  const key = `${def.group}/${def.plural}`;
  switch (key) {
    case '/services':
      return {
        cols: [
          NAME,
          { name: 'Type', type: 'string' },
          { name: 'Cluster-IP', type: 'string' },
          { name: 'External-IP', type: 'string' },
          { name: 'Port(s)', type: 'string' },
          AGE,
          { name: 'Selector', type: 'string', priority: 1 },
        ],
        cells: (o) => [
          o.metadata.name,
          o.spec?.type ?? 'ClusterIP',
          o.spec?.clusterIP ?? '<none>',
          externalIp(o),
          servicePorts(o),
          age(o),
          Object.entries(o.spec?.selector ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '<none>',
        ],
      };
    case '/nodes':
      return {
        cols: [
          NAME,
          { name: 'Status', type: 'string' },
          { name: 'Roles', type: 'string' },
          AGE,
          { name: 'Version', type: 'string' },
        ],
        cells: (o) => {
          const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
          const roles = Object.keys(o.metadata.labels ?? {})
            .filter((l) => l.startsWith('node-role.kubernetes.io/'))
            .map((l) => l.slice('node-role.kubernetes.io/'.length));
          return [
            o.metadata.name,
            ready?.status === 'True' ? 'Ready' : 'NotReady',
            roles.join(',') || '<none>',
            age(o),
            o.status?.nodeInfo?.kubeletVersion ?? '',
          ];
        },
      };
    case '/namespaces':
      return {
        cols: [NAME, { name: 'Status', type: 'string' }, AGE],
        cells: (o) => [o.metadata.name, o.status?.phase ?? 'Active', age(o)],
      };
    case '/secrets':
      return {
        cols: [NAME, { name: 'Type', type: 'string' }, { name: 'Data', type: 'string' }, AGE],
        cells: (o) => [o.metadata.name, o.type ?? 'Opaque', String(Object.keys(o.data ?? {}).length), age(o)],
      };
    case 'coordination.k8s.io/leases':
      return {
        cols: [NAME, { name: 'Holder', type: 'string' }, AGE],
        cells: (o) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o)],
      };
    case 'discovery.k8s.io/endpointslices':
      return {
        cols: [
          NAME,
          { name: 'AddressType', type: 'string' },
          { name: 'Ports', type: 'string' },
          { name: 'Endpoints', type: 'string' },
          AGE,
        ],
        cells: (o) => [
          o.metadata.name,
          o.addressType ?? '',
          (o.ports ?? []).map((p: any) => p.port).join(',') || '<unset>',
          (o.endpoints ?? []).flatMap((e: any) => e.addresses ?? []).join(',') || '<unset>',
          age(o),
        ],
      };
    default:
      return undefined;
  }
}

function formatValue(values: unknown[], col: PrinterColumn): Cell {
  if (values.length === 0) return null;
  const v = values.length === 1 ? values[0] : values;
  if (col.type === 'date' && typeof v === 'string') return humanDuration(Date.now() - Date.parse(v));
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  if (col.type === 'integer' || col.type === 'number') return typeof v === 'number' ? v : Number(v);
  if (col.type === 'boolean') return typeof v === 'boolean' ? v : String(v) === 'true';
  return String(v);
}

function customColumns(def: ResourceDef, version: string): { cols: Col[]; cells: (o: any) => Cell[] } {
  const printer: PrinterColumn[] = crdVersion(def, version)?.additionalPrinterColumns ?? [];
  if (printer.length === 0) return { cols: [NAME, AGE], cells: (o) => [o.metadata.name, age(o)] };
  return {
    cols: [
      NAME,
      ...printer.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        priority: c.priority ?? 0,
        description: c.description ?? '',
      })),
    ],
    cells: (o) => [o.metadata.name, ...printer.map((c) => formatValue(evalJsonPath(o, c.jsonPath), c))],
  };
}

export function wantsTable(accept: string | null | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function toTable(
  def: ResourceDef,
  version: string,
  objs: any[],
  opts: { includeObject?: string; resourceVersion?: string; withColumns?: boolean },
): any {
  const spec = def.crd
    ? customColumns(def, version)
    : (builtinColumns(def) ?? { cols: [NAME, AGE], cells: (o: any) => [o.metadata.name, age(o)] });
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions:
      opts.withColumns === false
        ? null
        : spec.cols.map((c) => ({ format: '', description: '', priority: 0, ...c })),
    rows: objs.map((o) => ({
      cells: spec.cells(o),
      object:
        include === 'None'
          ? undefined
          : include === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
