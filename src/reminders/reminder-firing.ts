import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { Database } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import { sweepInBatches } from '../database/sweep.js';
import { OUTBOX_RETENTION_DAYS, type OutboxWrite } from '../notifications/notification.js';
import { NotificationChannels } from '../notifications/notification-channels.js';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { JobQueue, loggedJob } from '../queue/job-queue.js';
import {
  CLEANUP_BATCH,
  CLEANUP_EVERY_MS,
  CLEANUP_JOB,
  FIRE_BATCH,
  FIRE_RECORD_MARGIN_MIN,
  SWEEP_JOB,
} from './reminder.schema.js';
import { RemindersRepository, type ClaimedFire } from './reminders.repository.js';

/**
 * Fires due reminders (docs/reminders.md). A sweep is a job on the job queue, queued every
 * REMINDER_TICK_MS by each instance (one waiting at a time across all of them) and run by whichever
 * instance's worker takes it. A sweep claims due reminders a batch per transaction (SKIP LOCKED:
 * concurrent sweeps on other instances take other rows), records each occurrence in
 * `reminder_fires` and writes the notifications into the outbox (and each channel its deliveries:
 * NotificationChannels) in that same transaction, then,
 * after COMMIT, announces the users so their open event streams look. So an occurrence fires once
 * (the fires table's primary key), and a sweep that dies before its COMMIT leaves its reminders due
 * for the next sweep: nothing is lost and nothing is sent twice.
 */
@Injectable()
export class ReminderFiring implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReminderFiring.name);
  private readonly maxLateMin: number;
  private readonly tickMs: number;

  constructor(
    private readonly db: Database,
    private readonly reminders: RemindersRepository,
    private readonly outbox: NotificationsRepository,
    private readonly channels: NotificationChannels,
    private readonly queue: JobQueue,
    config: ConfigService<Env, true>,
  ) {
    this.maxLateMin = config.get('REMINDER_MAX_LATE_MIN', { infer: true });
    this.tickMs = config.get('REMINDER_TICK_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.queue.periodic(SWEEP_JOB, this.tickMs, () =>
      this.logged('Reminder sweep failed (its reminders stay due for the next)', () => this.sweep()),
    );
    this.queue.periodic(CLEANUP_JOB, CLEANUP_EVERY_MS, () =>
      this.logged('Reminder cleanup failed (the next one goes on)', async () => {
        const deleted = await this.cleanup();
        if (deleted) this.logger.log(`Deleted ${deleted} old notifications and fire records`);
      }),
    );
  }

  private logged(what: string, work: () => Promise<unknown>): Promise<void> {
    return loggedJob(this.logger, what, work);
  }

  /**
   * Deletes notifications older than OUTBOX_RETENTION_DAYS, and fire records of occurrences due more
   * than REMINDER_MAX_LATE_MIN + FIRE_RECORD_MARGIN_MIN ago (one that came back would be recorded
   * late, not sent). How many rows it deleted.
   */
  async cleanup(): Promise<number> {
    const notifications = await sweepInBatches(CLEANUP_BATCH, () =>
      this.outbox.sweepBatch(OUTBOX_RETENTION_DAYS, CLEANUP_BATCH),
    );
    const fires = await sweepInBatches(CLEANUP_BATCH, () =>
      this.reminders.sweepFiresBatch(this.maxLateMin + FIRE_RECORD_MARGIN_MIN, CLEANUP_BATCH),
    );
    return notifications + fires;
  }

  /** Fires every reminder due now, a batch at a time, until a batch comes back short. How many occurrences it recorded. */
  async sweep(): Promise<number> {
    let total = 0;
    for (let claimed = FIRE_BATCH; claimed === FIRE_BATCH;) {
      claimed = await this.fireBatch();
      total += claimed;
    }
    return total;
  }

  /** One transaction: claim a batch, write its notifications; after COMMIT announce their users. */
  private async fireBatch(): Promise<number> {
    const { claimed, users } = await this.db.transaction(SERVICE_KEY, async () => {
      const fires = await this.reminders.claimDue(FIRE_BATCH, this.maxLateMin);
      const writes = fires.filter((f) => f.outcome === 'fired').map(notificationOf);
      await this.outbox.append(writes);
      await this.channels.enqueue(writes);
      const late = fires.filter((f) => f.outcome === 'late').length;
      if (late) this.logger.warn(`Skipped ${late} reminders more than ${this.maxLateMin} min late`);
      return { claimed: fires.length, users: writes.map((w) => w.user_id) };
    });
    await this.db.announceFor(users);
    return claimed;
  }
}

/** The notification of a fired reminder occurrence, for its user's outbox. */
function notificationOf(fire: ClaimedFire): OutboxWrite {
  return {
    user_id: fire.user_id,
    notification: {
      id: randomUUID(),
      type: 'reminder',
      reminder_id: fire.reminder_id,
      occurrence: fire.occurrence,
      fire_at: fire.fire_at,
      task: fire.task,
    },
  };
}
