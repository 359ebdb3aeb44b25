import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import type { Env, PoolMode } from '../config/env.js';
import { RedisConnections } from '../redis/redis.js';
import { databaseTopology } from './connection.js';
import { ReadReplicas } from './replicas.js';
import { ServerPool, type Statement, type Tx } from './server-pool.js';
import { UserLanes } from './user-lanes.js';
import { dbEnvOf } from './typeorm-options.js';

export { sql, type Statement, type Tx } from './server-pool.js';

/**
 * The one way the app's code reaches PostgreSQL: the primary through TypeORM's own pg pool (its
 * timeouts, its connections), and read replicas (DATABASE_READ_URLS) for the reads that may go
 * there, with plain parameterised SQL. TypeORM owns the entities, the migrations and the
 * DataSource; the hot paths skip its query building and entity hydration. Rows come back with
 * `timestamptz` already as ISO strings (see timestamps.ts).
 */
@Injectable()
export class Database implements OnModuleDestroy {
  private readonly primary: ServerPool;
  private readonly replicas?: ReadReplicas;
  private readonly lanes: UserLanes;
  private readonly writeListeners: ((user: string) => void)[] = [];

  constructor(dataSource: DataSource, config: ConfigService<Env, true>, redis: RedisConnections) {
    const env = dbEnvOf((key) => config.get(key, { infer: true }));
    const topology = databaseTopology(env);
    // The one cast into TypeORM's driver: its PostgresDriver keeps the pg.Pool as `master`.
    const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    this.primary = new ServerPool(pool, topology.primary.poolMode, env);
    const perUser =
      config.get('DB_READS_PER_USER', { infer: true }) ?? Math.max(2, Math.floor(env.DB_POOL_MAX / 4));
    this.lanes = new UserLanes(perUser, env.DB_CONNECT_TIMEOUT_MS);
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

  /** Runs `s` (on the primary, or on `tx` inside a transaction); the rows. */
  async rows<T>(s: Statement, tx?: Tx): Promise<T[]> {
    return (await this.run<T & pg.QueryResultRow>(s, tx)).rows;
  }

  /** Runs `s`; how many rows it wrote. */
  async execute(s: Statement, tx?: Tx): Promise<number> {
    return (await this.run(s, tx)).rowCount ?? 0;
  }

  private run<T extends pg.QueryResultRow>(s: Statement, tx?: Tx): Promise<pg.QueryResult<T>> {
    return tx ? tx.query<T>(this.primary.query(s)) : this.primary.run<T>(s);
  }

  /**
   * Runs the read `s` for `user`: on a read replica when one is configured, reachable and no
   * further behind than DB_READ_MAX_LAG_MS, unless `user` wrote within that time (they read their
   * own writes); on the primary otherwise, and whenever the replica fails. At most
   * DB_READS_PER_USER reads of one user run at once (UserLanes).
   */
  read<T>(user: string, s: Statement): Promise<T[]> {
    return this.lanes.run(user, async () => {
      const result = await this.replicas?.read<T & pg.QueryResultRow>(user, s);
      return result ? result.rows : this.rows<T>(s);
    });
  }

  /**
   * To be awaited once a write of `user` has committed, before answering: see `read`. Every write
   * path of the app calls it, so it also tells the `onWrite` listeners (live event streams).
   */
  async wrote(user: string): Promise<void> {
    // First recorded (so reads that listeners make go to the primary), then announced.
    await this.replicas?.wrote(user);
    for (const listener of this.writeListeners) listener(user);
  }

  /** Calls `listener` with the user of every committed write made through this instance. */
  onWrite(listener: (user: string) => void): void {
    this.writeListeners.push(listener);
  }

  /** Runs `work` in one transaction on the primary (see ServerPool.transaction). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.primary.transaction(work);
  }

  async onModuleDestroy(): Promise<void> {
    await this.replicas?.close();
  }
}
