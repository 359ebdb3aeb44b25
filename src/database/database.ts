import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import type { Env, PoolMode } from '../config/env.js';
import { RedisConnections } from '../redis/redis.js';
import { databaseTopology } from './connection.js';
import { ReadReplicas } from './replicas.js';
import { retrying, type Retry } from './retrying.js';
import { SERVICE_KEY, ServerPool, type Statement } from './server-pool.js';
import { changedRows, Transaction } from './transaction.js';
import { dbEnvOf } from './typeorm-options.js';

export { sql, type Statement } from './server-pool.js';
export { Transaction } from './transaction.js';
export type { Retry } from './retrying.js';

/** How long no statement may have run before `drain` deems the work of requests in flight done, and how often it looks. */
const DRAIN_QUIET_MS = 100;
const DRAIN_POLL_MS = 20;

/**
 * The one way the app's code reaches PostgreSQL: the primary through TypeORM's own pg pool (its
 * timeouts, its connections), and read replicas (DATABASE_READ_URLS) for the reads that may go
 * there, with plain parameterised SQL. TypeORM owns the entities, the migrations and the
 * DataSource; the hot paths skip its query building and entity hydration. Rows come back with
 * `timestamptz` already as ISO strings (see timestamps.ts).
 *
 * It owns transactions: `transaction(user, work)` runs every statement `work` makes through this
 * class in one transaction (no transaction object is handed down by hand), and a write of the user's
 * data, in a transaction or alone (`write`), is announced once it committed (`onWrite`: live event
 * streams; read-your-writes with replicas). Repositories hold the SQL; nothing else announces.
 *
 * Every statement is someone's: the pools share their connections fairly between users (FairShare,
 * in ServerPool): one user alone may use them all, and while others wait each active user gets an
 * equal share, whatever the statement (reads, writes, transactions, the service's own sweeps).
 */
@Injectable()
export class Database implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly primary: ServerPool;
  private readonly replicas?: ReadReplicas;
  /** Statements and transactions running or waiting now (outside a transaction), and when that last changed. */
  private busy = 0;
  private busySince = 0;
  private readonly logger = new Logger(Database.name);
  private readonly writeListeners: ((user: string) => void)[] = [];
  /**
   * The transaction each piece of work runs in (AsyncLocalStorage: no transaction handed down by
   * hand). Enabled only while a transaction's work runs (see `scoped`): on Node 20 and 22 an enabled
   * AsyncLocalStorage puts a hook on every promise of the process, which cost 9–14 % of the CPU of
   * reads and single-statement writes that never needed it (bench/README.md).
   */
  private readonly scope = new AsyncLocalStorage<Transaction>();
  /** Transactions whose work is running now: the scope is enabled while there is one. */
  private scopedWork = 0;

  constructor(dataSource: DataSource, config: ConfigService<Env, true>, redis: RedisConnections) {
    const env = dbEnvOf((key) => config.get(key, { infer: true }));
    const topology = databaseTopology(env);
    // The one cast into TypeORM's driver: its PostgresDriver keeps the pg.Pool as `master`.
    const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    this.primary = new ServerPool(pool, topology.primary.poolMode, env);
    if (topology.replicas.length) {
      this.replicas = new ReadReplicas(redis.client, topology.replicas, topology.primary, {
        ...env,
        DB_READ_MAX_LAG_MS: config.get('DB_READ_MAX_LAG_MS', { infer: true }),
      });
    }
  }

  get poolMode(): PoolMode {
    return this.primary.mode;
  }

  /** The transaction the calling code runs in, if any (see `transaction`). */
  private get current(): Transaction | undefined {
    return this.scope.getStore();
  }

  /** Whether the calling code runs inside a transaction (an error in PostgreSQL then aborts all of it). */
  get inTransaction(): boolean {
    return this.current !== undefined;
  }

  /**
   * Runs the read `s` for `user`. Inside a transaction: there (it sees its own writes). Otherwise on
   * a read replica when one is configured, reachable and no further behind than DB_READ_MAX_LAG_MS,
   * unless `user` wrote within that time (they read their own writes); on the primary otherwise,
   * and whenever the replica fails.
   */
  async read<T>(user: string, s: Statement): Promise<T[]> {
    const tx = this.current;
    if (tx) return (await tx.query<T & pg.QueryResultRow>(s)).rows;
    return this.tracked(async () => {
      const result = await this.replicas?.read<T & pg.QueryResultRow>(user, s);
      return result ? result.rows : (await this.primary.run<T & pg.QueryResultRow>(user, s)).rows;
    });
  }

  /**
   * Runs the read `s` on the primary, never a replica (in the current transaction when there is
   * one), outside a transaction with `user`'s share of the connections (none given: the service's own).
   */
  async rows<T>(s: Statement, user: string = SERVICE_KEY): Promise<T[]> {
    const tx = this.current;
    if (tx) return (await tx.query<T & pg.QueryResultRow>(s)).rows;
    return this.tracked(async () => (await this.primary.run<T & pg.QueryResultRow>(user, s)).rows);
  }

  /**
   * Runs `s`, a statement that may change `user`'s data: inside the current transaction (announced
   * once that commits), or as one statement of its own, announced before this resolves when it
   * changed rows (see `onWrite`): rows affected, or rows returned by a statement that ends in a
   * SELECT over its data-modifying CTEs (whatever command PostgreSQL reports). A write that no
   * reader needs to hear of goes through `bookkeeping`. Its rows, and how many rows it changed.
   */
  async write<T>(user: string, s: Statement): Promise<{ rows: T[]; count: number }> {
    const tx = this.current;
    if (tx) {
      if (tx.user !== user) throw new Error(`a transaction of ${tx.user} cannot write ${user}'s data`);
      const result = await tx.query<T & pg.QueryResultRow>(s, true);
      return { rows: result.rows, count: result.rowCount ?? 0 };
    }
    return this.tracked(async () => {
      const result = await this.primary.run<T & pg.QueryResultRow>(user, s);
      if (changedRows(result)) await this.announce(user);
      return { rows: result.rows, count: result.rowCount ?? 0 };
    });
  }

  /**
   * Runs `s`, a write of `user`'s bookkeeping that no reader of their tasks needs to hear of (a
   * stored Idempotency-Key, a reminder): in the current transaction when there is one, never
   * announced. Its rows.
   */
  async bookkeeping<T>(user: string, s: Statement): Promise<T[]> {
    const tx = this.current;
    if (tx && tx.user !== user) throw new Error(`a transaction of ${tx.user} cannot write ${user}'s data`);
    const result = await (tx
      ? tx.query<T & pg.QueryResultRow>(s)
      : this.tracked(() => this.primary.run<T & pg.QueryResultRow>(user, s)));
    return result.rows;
  }

  /**
   * Runs `s`, a `DELETE … RETURNING` of a row of `user`'s that no reader of their tasks needs to hear
   * of (one of their webhooks, push subscriptions, app passwords: `bookkeeping`). Whether it deleted one.
   */
  async deleted(user: string, s: Statement): Promise<boolean> {
    return (await this.bookkeeping(user, s)).length > 0;
  }

  /** Runs `s`, a statement on no user's visible data (sweeps of expired rows): never announced. How many rows it changed. */
  async housekeeping(s: Statement): Promise<{ rows: unknown[]; count: number }> {
    const result = await this.tracked(() => this.primary.run(SERVICE_KEY, s));
    return { rows: result.rows, count: result.rowCount ?? 0 };
  }

  /**
   * Runs `work` in one transaction of `user`'s on the primary: committed when it resolves, rolled
   * back when it throws. Every statement made through this Database while `work` runs goes into it.
   * When one of them changed rows, the write is announced once, after COMMIT (see `onWrite`), with
   * the users given to `tx.announce` (each user once).
   * Inside a running transaction (of the same user) `work` joins that one instead, and `retry` is
   * left to the outermost: an error in PostgreSQL aborts the whole transaction, so only running all
   * of it again can help. Outside, `retry` runs the transaction again while it fails with an error
   * `retry.retryable` accepts, `retry.attempts` times at most in all.
   */
  async transaction<T>(user: string, work: (tx: Transaction) => Promise<T>, retry?: Retry): Promise<T> {
    const open = this.current;
    if (open) {
      if (open.user !== user) throw new Error(`a transaction of ${open.user} cannot join ${user}'s`);
      return work(open);
    }
    let tx: Transaction | undefined;
    const once = () =>
      this.primary.transaction(user, (client) => {
        const started = new Transaction(user, client, this.primary);
        tx = started;
        return this.scoped(started, async () => {
          try {
            return await work(started);
          } finally {
            started.end();
          }
        });
      });
    return this.tracked(async () => {
      const result = retry ? await retrying(retry.attempts, retry.retryable, once) : await once();
      // The transaction that committed is the last one started.
      if (tx) await this.announceFor(tx.announced);
      return result;
    });
  }

  /**
   * Runs `work` in one transaction of `user`'s (`transaction`) that first takes the advisory lock
   * `lock` (advisoryLock): what `work` counts stays counted until it commits, so creates counted
   * against a limit under the same lock take turns and never pass the limit together.
   */
  locked<T>(user: string, lock: Statement, work: () => Promise<T>): Promise<T> {
    return this.transaction(user, async () => {
      await this.rows(lock, user);
      return work();
    });
  }

  /**
   * Runs `work` with `tx` as the current transaction, enabling the scope for it, and disabling it again
   * once no transaction's work runs (Node 20 and 22 then take the promise hook off again; on 24 the
   * scope costs nothing either way). Work a transaction started and did not await outlives it: on 24
   * its statements are refused (Transaction.end); on 20 and 22 they are refused while some other
   * transaction keeps the scope on, and run on their own while none does. So every promise is
   * awaited (ESLint's no-floating-promises is an error here).
   */
  private async scoped<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
    this.scopedWork++;
    try {
      return await this.scope.run(tx, work);
    } finally {
      if (--this.scopedWork === 0) this.scope.disable();
    }
  }

  /**
   * `run` again while it fails with an error `retry.retryable` accepts (`retry.attempts` times at
   * most in all), when it is not part of a transaction; inside one, once: the error aborted that
   * transaction, and the outermost `transaction` call decides whether to run it all again.
   */
  retrying<T>(retry: Retry, run: () => Promise<T>): Promise<T> {
    return this.current ? run() : retrying(retry.attempts, retry.retryable, run);
  }

  /**
   * Announces a committed write as a write of each of `users` too: for a change made by one user that
   * changes what others see (a list renamed, shared or left: every member's view changed). Each is then
   * read on the primary for DB_READ_MAX_LAG_MS (a removed member's next read never meets a replica
   * that still shows them the list) and told to the listeners (their live streams look again).
   * Call it after the commit, never inside the transaction (there: `tx.announce`, which also
   * announces the writer only once).
   */
  async announceFor(users: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(users)].map((user) => this.announce(user)));
  }

  /** Once a write of `user` committed: recorded for read-your-writes first, then told to the listeners. */
  private async announce(user: string): Promise<void> {
    // Recorded first, so that reads the listeners make go to the primary.
    await this.replicas?.wrote(user);
    // The write has committed: a listener that fails must not turn it into an error answer.
    for (const listener of this.writeListeners) {
      try {
        listener(user);
      } catch (err) {
        this.logger.error(`A listener of ${user}'s write failed: ${(err as Error).message}`);
      }
    }
  }

  /** Calls `listener` with the user of every committed write made through this instance. */
  onWrite(listener: (user: string) => void): void {
    this.writeListeners.push(listener);
  }

  /** Counts `work` (a statement or transaction outside any transaction) as in flight while it runs or waits. */
  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    this.busySince = Date.now();
    try {
      return await work();
    } finally {
      this.busy--;
      this.busySince = Date.now();
    }
  }

  /**
   * Resolves once no statement has been running or waiting for a connection for DRAIN_QUIET_MS (a
   * request between two of its statements is not in flight here, so a moment of quiet is required),
   * or at `deadline` (a time in ms). The process's stop calls it once the HTTP server has closed and
   * before the pool closes: handlers whose client already left still finish their work.
   */
  async drain(deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      if (this.busy === 0 && Date.now() - this.busySince >= DRAIN_QUIET_MS) return;
      await sleep(Math.min(DRAIN_POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  /**
   * Before TypeORM ends the primary's pool (onApplicationShutdown): from now on a statement is
   * refused with PoolClosedError (503, logged without a stack), not pg's "Cannot use a pool after
   * calling end on the pool" (a 500 with a stack).
   */
  beforeApplicationShutdown(): void {
    this.primary.share.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.replicas?.close();
  }
}
