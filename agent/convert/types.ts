/**
 * PURE. Shared shapes of `edgelb convert`: each Cilium or MetalLB object becomes edgelb
 * objects plus notes naming the source object and field. A warning is a field edgelb
 * cannot carry over (the output still applies); an error makes the object unconvertible.
 * A lossy note is a field whose loss would change what is announced or where: an error,
 * or a warning when the user passed --allow-lossy.
 */
import type {
  BFDProfile,
  BGPPeeringPolicy,
  L2AnnouncementPolicy,
  LoadBalancerIPPool,
} from '../api/v1alpha1.ts';

export type EdgelbObject = LoadBalancerIPPool | BGPPeeringPolicy | BFDProfile | L2AnnouncementPolicy;

export interface ConvertOptions {
  /** Turn lossy errors (announcing more, less or elsewhere than the source) into warnings. */
  allowLossy?: boolean;
}

export interface Note {
  /** "Kind/name" of the source object, e.g. "CiliumBGPPeeringPolicy/opensense". */
  object: string;
  /** Field path inside it, e.g. "spec.virtualRouters[0].exportPodCIDR"; "" for the whole object. */
  field: string;
  message: string;
}

export interface ConvertResult {
  objects: EdgelbObject[];
  warnings: Note[];
  errors: Note[];
}

export type Rec = Record<string, unknown>;

export function isMap(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Collects notes for one source object. */
export class Notes {
  constructor(
    readonly object: string,
    private readonly result: ConvertResult,
    readonly allowLossy = false,
  ) {}

  warn(field: string, message: string): void {
    this.result.warnings.push({ object: this.object, field, message });
  }

  error(field: string, message: string): void {
    this.result.errors.push({ object: this.object, field, message });
  }

  /**
   * A field that cannot be carried over and whose loss changes what is announced or where:
   * an error, or with --allow-lossy a warning (the object is converted anyway).
   */
  lossy(field: string, message: string): void {
    if (this.allowLossy) this.warn(field, `${message} (converted anyway: --allow-lossy)`);
    else this.error(field, `${message}; --allow-lossy converts it anyway`);
  }

  /** Errors recorded so far for this object (compare before/after to see if a step failed). */
  errorCount(): number {
    return this.result.errors.filter((n) => n.object === this.object).length;
  }
}

/** "Kind/name" for notes. */
export function objectRef(doc: Rec): string {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : '(unnamed)';
  return `${String(doc.kind)}/${name}`;
}

export function metaName(doc: Rec): string | undefined {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  return typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
}

export function metaLabels(doc: Rec): Record<string, string> | undefined {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  if (!isMap(meta.labels)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.labels)) out[k] = String(v);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An integer in [min, max] (numbers or numeric strings); undefined otherwise. */
export function intIn(v: unknown, min: number, max: number): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

export const UINT32_MAX = 4294967295;
