import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createRequire } from 'node:module';
import PgBoss from 'pg-boss';
import type { Env } from '../config/env.js';
import { APPLICATION_NAME, databaseTopology } from '../database/connection.js';
import { dbEnvOf } from '../database/typeorm-options.js';

/**
 * pg-boss 10.4.2's worker marks a job done or failed without awaiting it (`this.complete(…)`,
 * `this.fail(…)` in Manager.watch's onFetch): while the database is away those calls reject with
 * nobody to catch them, an unhandled rejection that ends a Node process by default. A handler on each
 * such promise makes it handled; callers that await it still get the error. The job stays active and
 * pg-boss's maintenance expires it (PERIODIC_EXPIRE_S); the next run is queued anyway.
 */
const managerPrototype = (createRequire(import.meta.url)('pg-boss/src/manager.js') as { prototype: object })
  .prototype as Record<'complete' | 'fail', (...args: unknown[]) => Promise<unknown>>;
for (const method of ['complete', 'fail'] as const) {
  const original = managerPrototype[method];
  managerPrototype[method] = function (this: unknown, ...args: unknown[]) {
    const done = original.apply(this, args);
    done.catch(() => undefined);
    return done;
  };
}

/** pg-boss's own tables live in this schema, apart from the app's. */
export const QUEUE_SCHEMA = 'pgboss';
/** Connections pg-boss may hold: a worker polls one statement at a time; ticks and maintenance are brief. */
const QUEUE_POOL_MAX = 2;
/** pg-boss polls a queue at most this often (its own floor is 500 ms). */
const MIN_POLL_MS = 500;
/** A periodic job that has not finished in this long is deemed lost (its process died) and is failed by maintenance. */
const PERIODIC_EXPIRE_S = 60;
/** How long pg-boss may wait, on shutdown, for a handler that is running. */
const STOP_TIMEOUT_MS = 5000;
/** The same failure is logged at most this often (a database outage makes every poll fail). */
const ERROR_LOG_EVERY_MS = 30_000;
/** A periodic job that could not be set up (database away, two instances creating its queue at once) is tried again after this long, doubling up to the maximum. */
const SETUP_RETRY_MS = 200;
const SETUP_RETRY_MAX_MS = 30_000;

/**
 * Runs `work`, the handler of a periodic job: a failure is logged as a warning with `what`, and thrown
 * on (the queue records the job failed; the next run goes on).
 */
export async function loggedJob(logger: Logger, what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    logger.warn(`${what}: ${(err as Error).message}`);
    throw err;
  }
}

/** Resolves after about `ms` (±50 %, so instances that collided spread out), never holding the process open. */
const jittered = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms * (0.5 + Math.random())).unref());

/**
 * The app's PostgreSQL job queue: pg-boss 10 (docs/reminders.md says why this one and this
 * version). It needs no session state (no LISTEN, only transaction-scoped advisory locks, unnamed
 * statements), so it works through a transaction-mode pooler; but it installs and migrates its own
 * schema and makes a table per queue (DDL), which the least-privilege app role may not do, so it
 * connects like the migrations: DATABASE_DIRECT_URL when set, else DATABASE_URL.
 *
 * One kind of job for now: `periodic(name, everyMs, handler)`, a job queued at most once at a time
 * across all instances (pg-boss's `short` policy) that some instance's worker runs. Handlers keep
 * their own guarantees in their own tables; the queue gives them one runner at a time per job,
 * spread over the instances, and picks the work up again when a process dies.
 */
@Injectable()
export class JobQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private readonly boss: PgBoss;
  private starting?: Promise<PgBoss>;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private lastErrorLog = 0;
  /** The periodic jobs' set-ups, one after the other. */
  private setups: Promise<void> = Promise.resolve();

  constructor(config: ConfigService<Env, true>) {
    const env = dbEnvOf((key) => config.get(key, { infer: true }));
    const conn = databaseTopology(env).migrations;
    // Only the startup parameters a transaction-mode pooler accepts (application_name); the limits
    // are client-side, as the app's own pool has them.
    const options: PgBoss.ConstructorOptions & Record<string, unknown> = {
      host: conn.host,
      port: conn.port,
      user: conn.user,
      password: conn.password,
      database: conn.database,
      ssl: conn.ssl,
      max: QUEUE_POOL_MAX,
      application_name: `${APPLICATION_NAME}:queue`,
      connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
      query_timeout: env.DB_STATEMENT_TIMEOUT_MS + 1000,
      keepAlive: true,
      schema: QUEUE_SCHEMA,
      // Cron schedules are minute-grained and unused here: no clock monitor, no cron polling.
      schedule: false,
      // Finished jobs leave the job table soon and the archive within a day: periodic jobs are many and worthless once run.
      archiveCompletedAfterSeconds: 300,
      archiveFailedAfterSeconds: 3600,
      deleteAfterHours: 24,
    };
    this.boss = new PgBoss(options);
    this.boss.on('error', (err: Error) => this.logError('job queue', err));
  }

  /** pg-boss started (its schema installed or migrated on first use, under its own lock); a failed start is tried again by the next caller. */
  private started(): Promise<PgBoss> {
    this.starting ??= this.boss.start().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /**
   * Runs `handler` about every `everyMs` on one instance at a time per run: each instance queues a
   * run every `everyMs` unless one is already waiting, and every instance's worker takes them. Set
   * up in the background, so the app starts whatever the queue's state: while that fails (the
   * database is away; instances starting together deadlock creating the queue) it is logged and
   * tried again, backing off to SETUP_RETRY_MAX_MS, until it works or the app stops.
   */
  periodic(name: string, everyMs: number, handler: () => Promise<void>): void {
    // One set-up at a time per instance (creating two queues at once can deadlock on pg-boss's job table).
    this.setups = this.setups.then(async () => {
      for (let wait = SETUP_RETRY_MS; !this.stopped; wait = Math.min(SETUP_RETRY_MAX_MS, wait * 2)) {
        try {
          return await this.install(name, everyMs, handler);
        } catch (err) {
          this.logError(`${name} could not be set up yet (trying again)`, err as Error);
          await jittered(wait);
        }
      }
    });
  }

  private async install(name: string, everyMs: number, handler: () => Promise<void>): Promise<void> {
    const boss = await this.started();
    await boss.createQueue(name, {
      name,
      policy: 'short',
      retryLimit: 0,
      expireInSeconds: PERIODIC_EXPIRE_S,
    });
    const worker = await boss.work(
      name,
      { pollingIntervalSeconds: Math.max(MIN_POLL_MS, everyMs) / 1000, batchSize: 1 },
      () => handler(),
    );
    const tick = async () => {
      // null: a run is already waiting (policy `short`). A run queued here wakes this instance's worker at once.
      const id = await boss.send(name, {}, { retryLimit: 0, expireInSeconds: PERIODIC_EXPIRE_S });
      if (id) boss.notifyWorker(worker);
    };
    const timer = setInterval(() => {
      if (!this.stopped) tick().catch((err: Error) => this.logError(name, err));
    }, everyMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** A failure logged as a warning, the same one at most every ERROR_LOG_EVERY_MS. */
  private logError(what: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_EVERY_MS) return;
    this.lastErrorLog = now;
    this.logger.warn(`${what}: ${err.message}`);
  }

  /** Before the app's pool closes: no new runs, the running one finishes (up to STOP_TIMEOUT_MS), pg-boss's pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (!this.starting) return;
    try {
      await this.starting;
      await this.boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
    } catch (err) {
      this.logError('job queue stop', err as Error);
    }
  }
}
