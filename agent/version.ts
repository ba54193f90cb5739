/** Build identity, baked in by scripts/build.sh with --define; "dev" when run from source. */
declare const EDGELB_VERSION: string | undefined;
declare const EDGELB_COMMIT: string | undefined;
declare const EDGELB_TARGET: string | undefined;

export const buildInfo = {
  version: typeof EDGELB_VERSION === 'string' ? EDGELB_VERSION : 'dev',
  commit: typeof EDGELB_COMMIT === 'string' ? EDGELB_COMMIT : 'unknown',
  target: typeof EDGELB_TARGET === 'string' ? EDGELB_TARGET : `${process.platform}-${process.arch}`,
  runtime: `bun ${Bun.version}`,
};
