/**
 * PURE. The entry point: policies + nodes + pools + BFD profiles -> the text for one router
 * target, or the reasons it cannot be written. Warnings name what the target does differently.
 */
import { renderBird } from './bird.ts';
import { renderFrr } from './frr.ts';
import { renderOpnsense } from './opnsense.ts';
import { type PlanInput, planRouter } from './plan.ts';
import { renderRouterOS } from './routeros.ts';
import type { Rendered, RouterPlan, Target } from './types.ts';

export type { PlanInput } from './plan.ts';
export { TARGETS, type Target } from './types.ts';

const RENDERERS: Record<Target, (plan: RouterPlan) => Rendered> = {
  frr: renderFrr,
  bird: renderBird,
  opnsense: renderOpnsense,
  routeros: renderRouterOS,
};

export function routerConfig(target: Target, input: PlanInput): Rendered {
  const planned = planRouter(input);
  if (!planned.ok) return planned;
  const r = RENDERERS[target](planned.plan);
  return r.ok ? { ...r, warnings: [...planned.warnings, ...r.warnings] } : r;
}
