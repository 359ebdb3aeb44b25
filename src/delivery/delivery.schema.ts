/** The facts about deliveries (webhooks, Web Push) that SQL, the sender and tests agree on; the migration Channels makes the table. */

/** The channels that deliver on their own, one `deliveries.channel` value each. */
export const CHANNELS = ['webhook', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A delivery waits (`pending`, also between retries), or ended: `delivered`, or `failed` for good. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The job-queue job that sends due deliveries, and the one that deletes old ones (hourly). */
export const SEND_JOB = 'deliveries-send';
export const CLEANUP_JOB = 'deliveries-cleanup';
export const CLEANUP_EVERY_MS = 60 * 60 * 1000;

export const DELIVERY_LIMITS = {
  /** Sends in flight at once per instance. */
  concurrency: 16,
  /** A delivery is retried for this long after it was made; then it failed for good. */
  retryWindowMs: 24 * 60 * 60 * 1000,
  /** The longest wait between two attempts (the backoff's ceiling; a `Retry-After` may ask for more). */
  maxDelayMs: 60 * 60 * 1000,
  /** A claimed delivery's lease: the send timeout plus this. A sender that died is retried once it ends. */
  leaseMarginMs: 30_000,
  /** One run of the send job claims for at most this long (the queue deems a job lost after 60 s). */
  runMs: 30_000,
  /** `last_error` is cut to this many characters (its column's length). */
  errorLength: 500,
  /** Finished deliveries are deleted this many days after they were made. */
  retentionDays: 7,
  /** Rows one cleanup statement deletes at most. */
  cleanupBatch: 1000,
} as const;
