/**
 * PURE. Which Services this edgelb owns: type LoadBalancer, and either its class or no
 * class when configured to claim those. A Service of another class is never touched.
 */
export interface ClassConfig {
  loadBalancerClass: string;
  claimServicesWithoutClass: boolean;
}

export function ownsService(
  svc: { spec?: { type?: string; loadBalancerClass?: string } },
  cfg: ClassConfig,
): boolean {
  if (svc.spec?.type !== 'LoadBalancer') return false;
  const cls = svc.spec.loadBalancerClass;
  if (cls === undefined || cls === '') return cfg.claimServicesWithoutClass;
  return cls === cfg.loadBalancerClass;
}
