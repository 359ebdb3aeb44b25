/** How often a piece of work runs while it fails with an error it may be run again after. */
export interface Retry {
  /** Runs in all, at most. */
  attempts: number;
  retryable: (err: unknown) => boolean;
}

/**
 * `run` again while it fails with an error `retryable` accepts, `attempts` times at most in all;
 * the last failure, or any other, is thrown.
 */
export async function retrying<T>(
  attempts: number,
  retryable: (err: unknown) => boolean,
  run: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!retryable(err) || attempt === attempts) throw err;
    }
  }
}
