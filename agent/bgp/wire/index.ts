/** PURE. The BGP wire codec. */
export * from './address.ts';
export * from './as-path.ts';
export * from './attribute-types.ts';
export * from './attributes.ts';
export * from './capabilities.ts';
export * from './communities.ts';
export * from './errors.ts';
export * from './framer.ts';
export * from './header.ts';
export * from './message.ts';
export * from './mp-nlri.ts';
export * from './nlri.ts';
export * from './notification.ts';
export * from './open.ts';
export * from './route-refresh.ts';
export * from './update.ts';
