import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import { sweepInBatches } from '../database/sweep.js';
import { JobQueue, loggedJob } from '../queue/job-queue.js';
import { DeliveriesRepository, type AttemptRecord } from './deliveries.repository.js';
import { CLEANUP_EVERY_MS, CLEANUP_JOB, DELIVERY_LIMITS, SEND_JOB, type Channel } from './delivery.schema.js';
import { OutboundHttp } from './outbound-http.js';
import { retryDelayMs } from './retry.js';
import type { ClaimedDelivery, DeliverySender, SendOutcome } from './sender.js';

/**
 * Sends the deliveries of every channel (webhooks, Web Push; docs/reminders.md): a periodic job on
 * the job queue (DELIVERY_TICK_MS, like the reminder sweep) run by whichever instance's worker takes
 * it. A run claims due deliveries with SKIP LOCKED and a lease (DeliveriesRepository.claim), keeps
 * at most DELIVERY_LIMITS.concurrency sends in flight, each outside any transaction, and records
 * each outcome as it comes: delivered, retried later (backoff with jitter, or the receiver's
 * `Retry-After`, for 24 h), or failed; a target that is gone is dropped by its channel in the
 * transaction that records it. A sender that dies mid-send leaves its lease to run out, and the
 * delivery is sent again with the same message id: at-least-once on the wire.
 */
@Injectable()
export class DeliveryRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryRunner.name);
  private readonly senders = new Map<Channel, DeliverySender>();
  private readonly tickMs: number;
  private readonly retryBaseMs: number;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly deliveries: DeliveriesRepository,
    private readonly http: OutboundHttp,
    private readonly queue: JobQueue,
    config: ConfigService<Env, true>,
  ) {
    this.tickMs = config.get('DELIVERY_TICK_MS', { infer: true });
    this.retryBaseMs = config.get('DELIVERY_RETRY_BASE_MS', { infer: true });
  }

  /** A channel's sender; its module registers it when the app starts (onModuleInit). */
  register(sender: DeliverySender): void {
    this.senders.set(sender.channel, sender);
  }

  onApplicationBootstrap(): void {
    this.queue.periodic(SEND_JOB, this.tickMs, () =>
      this.logged('Delivery run failed (its deliveries stay due)', () => this.run()),
    );
    this.queue.periodic(CLEANUP_JOB, CLEANUP_EVERY_MS, () =>
      this.logged('Delivery cleanup failed (the next one goes on)', () =>
        sweepInBatches(DELIVERY_LIMITS.cleanupBatch, () =>
          this.deliveries.sweepBatch(DELIVERY_LIMITS.retentionDays, DELIVERY_LIMITS.cleanupBatch),
        ),
      ),
    );
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
  }

  private logged(what: string, work: () => Promise<unknown>): Promise<void> {
    return loggedJob(this.logger, what, work);
  }

  /**
   * Sends what is due, at most DELIVERY_LIMITS.concurrency at a time, claiming more as sends finish,
   * until nothing more is due or DELIVERY_LIMITS.runMs has passed. How many attempts it made.
   */
  async run(): Promise<number> {
    const channels = [...this.senders.keys()];
    if (!channels.length) return 0;
    const until = Date.now() + DELIVERY_LIMITS.runMs;
    const leaseMs = this.http.timeoutMs + DELIVERY_LIMITS.leaseMarginMs;
    const inFlight = new Set<Promise<void>>();
    let attempts = 0;
    let more = true;
    try {
      while (more || inFlight.size) {
        const room = DELIVERY_LIMITS.concurrency - inFlight.size;
        if (more && room > 0 && !this.stopped && Date.now() < until) {
          const claimed = await this.deliveries.claim(channels, room, leaseMs);
          more = claimed.length === room;
          for (const delivery of claimed) {
            const sending: Promise<void> = this.attempt(delivery).finally(() => inFlight.delete(sending));
            inFlight.add(sending);
            attempts++;
          }
        } else {
          more &&= !this.stopped && Date.now() < until;
        }
        if (inFlight.size) await Promise.race(inFlight);
      }
    } finally {
      // A claim that failed (the database away) ends the run once the sends under way are recorded.
      await Promise.allSettled(inFlight);
    }
    return attempts;
  }

  /** One attempt of `delivery`, recorded; a failure to record is logged (the lease runs out and it is sent again). */
  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const sender = this.senders.get(delivery.channel)!;
    let outcome: SendOutcome;
    try {
      outcome = await sender.send(delivery);
    } catch (err) {
      outcome = { kind: 'retry', error: `sender: ${(err as Error).message}` };
    }
    try {
      const record = this.recordOf(delivery, outcome);
      if (outcome.kind === 'gone') {
        const gone = outcome;
        await this.db.transaction(SERVICE_KEY, async () => {
          await this.deliveries.record(delivery.id, delivery.attempts, record);
          await sender.gone(delivery, gone);
        });
      } else {
        await this.deliveries.record(delivery.id, delivery.attempts, record);
      }
    } catch (err) {
      this.logger.warn(
        `Could not record delivery ${delivery.id} (sent again once its lease ends): ${(err as Error).message}`,
      );
    }
  }

  /** What an outcome leaves on the delivery (a retry past the 24 h window is a failure). */
  private recordOf(delivery: ClaimedDelivery, outcome: SendOutcome): AttemptRecord {
    const httpStatus = 'status' in outcome ? outcome.status : undefined;
    const error = 'error' in outcome ? outcome.error.slice(0, DELIVERY_LIMITS.errorLength) : undefined;
    switch (outcome.kind) {
      case 'delivered':
        return { status: 'delivered', httpStatus };
      case 'failed':
      case 'gone':
        return { status: 'failed', httpStatus, error };
      case 'retry': {
        const now = Date.now();
        const delay = retryDelayMs(
          delivery.attempts,
          Date.parse(delivery.created_at),
          now,
          this.retryBaseMs,
          outcome.retryAfterMs,
        );
        return delay === null
          ? {
              status: 'failed',
              httpStatus,
              error: `${error}; gave up after 24 h of retries`.slice(0, DELIVERY_LIMITS.errorLength),
            }
          : { status: 'pending', retryInMs: delay, httpStatus, error };
      }
    }
  }
}
