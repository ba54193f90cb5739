/** An error a user caused (bad config, bad flag): printed as one sentence, never with a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    /** Process exit code: 78 (EX_CONFIG) for configuration, 2 for usage, 1 otherwise. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export const EX_CONFIG = 78;
export const EX_USAGE = 2;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
