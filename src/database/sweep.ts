import type { Logger } from '@nestjs/common';

/**
 * Runs `deleteBatch` (one statement deleting at most `batchSize` rows, well inside the statement
 * timeout) until a batch deletes fewer: however much is due goes, a statement at a time. How many
 * rows it deleted in all.
 */
export async function sweepInBatches(batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let deleted = batchSize; deleted === batchSize; total += deleted) deleted = await deleteBatch();
  return total;
}

/**
 * Calls `sweep` every `everyMs` (the timer does not hold the process open), a failure logged as a
 * warning naming `what`. Returns what stops it.
 */
export function sweepEvery(
  everyMs: number,
  sweep: () => Promise<unknown>,
  logger: Logger,
  what: string,
): () => void {
  const timer = setInterval(() => {
    sweep().catch((err: Error) => logger.warn(`${what} sweep failed: ${err.message}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
