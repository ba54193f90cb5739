// biome-ignore-all lint/suspicious/noExplicitAny: Kubernetes objects are arbitrary JSON documents here
/**
 * The parts of kube-apiserver's validation for built-in types that edgelb's writes can trip:
 * Service status (ingress IPs, ipMode, metav1.Condition rules), loadBalancerClass
 * immutability, events.k8s.io/v1 required fields and lengths, Lease bounds.
 */
import { isIP } from 'node:net';

type Problem = { field: string; message: string };

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const COND_TYPE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** metav1.Condition validation (apimachinery ValidateConditions). */
export function conditionProblems(conds: unknown, path: string): Problem[] {
  const out: Problem[] = [];
  if (conds === undefined || conds === null) return out;
  if (!Array.isArray(conds)) return [{ field: path, message: 'Invalid value: must be a list' }];
  const seen = new Set<string>();
  conds.forEach((c: any, i) => {
    const p = `${path}[${i}]`;
    if (!c?.type) out.push({ field: `${p}.type`, message: 'Required value' });
    else if (!COND_TYPE.test(c.type) || c.type.length > 316)
      out.push({
        field: `${p}.type`,
        message: `Invalid value: "${c.type}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    else if (seen.has(c.type)) out.push({ field: `${p}.type`, message: `Duplicate value: "${c.type}"` });
    else seen.add(c.type);
    if (!['True', 'False', 'Unknown'].includes(c?.status))
      out.push({
        field: `${p}.status`,
        message: `Unsupported value: "${c?.status}": supported values: "False", "True", "Unknown"`,
      });
    if (
      c?.observedGeneration !== undefined &&
      !(Number.isInteger(c.observedGeneration) && c.observedGeneration >= 0)
    )
      out.push({
        field: `${p}.observedGeneration`,
        message: `Invalid value: ${c.observedGeneration}: must be greater than or equal to zero`,
      });
    if (!c?.lastTransitionTime)
      out.push({ field: `${p}.lastTransitionTime`, message: 'Required value: must be set' });
    else if (Number.isNaN(Date.parse(c.lastTransitionTime)))
      out.push({
        field: `${p}.lastTransitionTime`,
        message: `Invalid value: "${c.lastTransitionTime}": must be an RFC 3339 time`,
      });
    if (!c?.reason) out.push({ field: `${p}.reason`, message: 'Required value' });
    else if (!REASON.test(c.reason) || c.reason.length > 1024)
      out.push({
        field: `${p}.reason`,
        message: `Invalid value: "${c.reason}": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'`,
      });
    if (typeof c?.message === 'string' && c.message.length > 32768)
      out.push({ field: `${p}.message`, message: 'Too long: may not be more than 32768 bytes' });
  });
  return out;
}

export function serviceProblems(svc: any, old: any | undefined): Problem[] {
  const out: Problem[] = [];
  const spec = svc.spec ?? {};
  if (spec.loadBalancerClass !== undefined && spec.type !== 'LoadBalancer')
    out.push({
      field: 'spec.loadBalancerClass',
      message: "Invalid value: may only be used when `type` is 'LoadBalancer'",
    });
  if (
    old &&
    old.spec?.type === 'LoadBalancer' &&
    spec.type === 'LoadBalancer' &&
    old.spec?.loadBalancerClass !== spec.loadBalancerClass
  )
    out.push({ field: 'spec.loadBalancerClass', message: 'Invalid value: field is immutable' });
  const ingress = svc.status?.loadBalancer?.ingress;
  if (Array.isArray(ingress))
    ingress.forEach((ing: any, i: number) => {
      const p = `status.loadBalancer.ingress[${i}]`;
      if (ing.ip !== undefined && !isIP(String(ing.ip)))
        out.push({ field: `${p}.ip`, message: `Invalid value: "${ing.ip}": must be a valid IP address` });
      if (ing.ipMode !== undefined) {
        if (ing.ip === undefined)
          out.push({ field: `${p}.ipMode`, message: 'Required value: must be specified when `ip` is set' });
        if (!['VIP', 'Proxy'].includes(ing.ipMode))
          out.push({
            field: `${p}.ipMode`,
            message: `Unsupported value: "${ing.ipMode}": supported values: "Proxy", "VIP"`,
          });
      }
    });
  out.push(...conditionProblems(svc.status?.conditions, 'status.conditions'));
  return out;
}

/** events.k8s.io/v1 Event (ValidateEventCreate for the new API). */
export function eventV1Problems(ev: any): Problem[] {
  const out: Problem[] = [];
  const required = ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason'];
  for (const f of required) if (!ev[f]) out.push({ field: f, message: 'Required value' });
  for (const f of ['action', 'reason', 'reportingInstance'])
    if (typeof ev[f] === 'string' && ev[f].length > 128)
      out.push({ field: f, message: 'Too long: may not be more than 128 bytes' });
  if (ev.type !== undefined && !['Normal', 'Warning'].includes(ev.type))
    out.push({
      field: 'type',
      message: `Unsupported value: "${ev.type}": supported values: "Normal", "Warning"`,
    });
  if (typeof ev.note === 'string' && Buffer.byteLength(ev.note) > 1024)
    out.push({ field: 'note', message: 'Too long: may not be more than 1024 bytes' });
  return out;
}

export function leaseProblems(lease: any): Problem[] {
  const out: Problem[] = [];
  const s = lease.spec ?? {};
  if (
    s.leaseDurationSeconds !== undefined &&
    !(Number.isInteger(s.leaseDurationSeconds) && s.leaseDurationSeconds > 0)
  )
    out.push({
      field: 'spec.leaseDurationSeconds',
      message: `Invalid value: ${s.leaseDurationSeconds}: must be greater than 0`,
    });
  if (s.leaseTransitions !== undefined && !(Number.isInteger(s.leaseTransitions) && s.leaseTransitions >= 0))
    out.push({
      field: 'spec.leaseTransitions',
      message: `Invalid value: ${s.leaseTransitions}: must be greater than or equal to 0`,
    });
  return out;
}
