/** PURE. The BGP FSM. */
export * from './collision.ts';
export * from './step.ts';
export * from './types.ts';
