import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { Env } from '../config/env.js';
import { poolConfig, APPLICATION_NAME, type ConnectionSettings, type PoolEnv } from './connection.js';
import { RecentWriters } from './recent-writers.js';
import { connectionLost, SERVICE_KEY, ServerPool, sql, type Statement } from './server-pool.js';

export type ReplicaEnv = PoolEnv & Pick<Env, 'DB_READ_MAX_LAG_MS'>;

/** A WAL position (`X/Y`, as PostgreSQL prints a pg_lsn) as a number that compares. */
export const lsn = (text: string): bigint => {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

/**
 * How far behind the primary a replica is, from samples of the primary's WAL position: the replica
 * holds every commit made before the newest sample whose position it has replayed, so its lag is the
 * time since that sample (the samples' interval is the measure's resolution). Undefined when it has
 * replayed none of the samples kept (further behind than the history goes).
 */
export function lagMs(
  samples: readonly { at: number; lsn: bigint }[],
  replayed: bigint,
  now: number,
): number | undefined {
  for (let i = samples.length - 1; i >= 0; i--) if (samples[i].lsn <= replayed) return now - samples[i].at;
  return undefined;
}

const PRIMARY_POSITION = sql('SELECT pg_current_wal_lsn()::text AS lsn');
const REPLAYED_POSITION = sql('SELECT pg_last_wal_replay_lsn()::text AS lsn');

interface Replica {
  readonly label: string;
  /** The reads' pool, and the monitor's own connection (its queries never wait behind reads). */
  readonly pool: ServerPool;
  readonly probe: ServerPool;
  /** Why it is not used now (undefined: usable). */
  down?: string;
  /** When the monitor last found it usable: a verdict older than two rounds no longer counts. */
  checkedAt: number;
}

/**
 * The read replicas of DATABASE_READ_URLS: one pool each, and a monitor (on connections of its own)
 * that samples the primary's WAL position and each replica's replayed position a few times a second.
 * A replica is used while the monitor's last verdict (at most two rounds old) says it answers and lags
 * at most DB_READ_MAX_LAG_MS; one that fails a read is left out until the monitor finds it well
 * again, and that read goes to the primary. A user who wrote within DB_READ_MAX_LAG_MS (plus two
 * monitor rounds) reads from the primary (RecentWriters), so a replica never hides their own write.
 */
export class ReadReplicas {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  private readonly writers: RecentWriters;
  private readonly maxLagMs: number;
  private readonly interval: number;
  /** The monitor's own connection to the primary: it must not queue behind the app's traffic. */
  private readonly primary: ServerPool;
  private samples: { at: number; lsn: bigint }[] = [];
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private next = 0;

  /** `redis`: the instance's shared client (RedisConnections), for RecentWriters across instances. */
  constructor(
    redis: Redis | undefined,
    settings: ConnectionSettings[],
    primary: ConnectionSettings,
    env: ReplicaEnv,
  ) {
    this.maxLagMs = env.DB_READ_MAX_LAG_MS;
    this.interval = Math.min(1000, Math.max(100, Math.floor(this.maxLagMs / 4)));
    // A replica judged fresh enough may fall further behind until the next round: a writer's window
    // covers the limit plus two rounds, so no replica still missing their write answers them.
    this.writers = new RecentWriters(this.maxLagMs + 2 * this.interval, redis);
    this.primary = serverPool(primary, { ...env, DB_POOL_MAX: 1 }, `${APPLICATION_NAME}:monitor`);
    this.replicas = settings.map((conn) => ({
      label: conn.label,
      pool: serverPool(conn, env, `${APPLICATION_NAME}:read`),
      probe: serverPool(conn, { ...env, DB_POOL_MAX: 1 }, `${APPLICATION_NAME}:monitor`),
      down: 'not checked yet',
      checkedAt: 0,
    }));
    this.timer = setInterval(() => void this.check(), this.interval).unref();
    void this.check();
  }

  /** Runs `s` for `user` on a replica, or says (undefined) that the primary should. */
  async read<T extends pg.QueryResultRow>(
    user: string,
    s: Statement,
  ): Promise<pg.QueryResult<T> | undefined> {
    const recently = Date.now() - 2 * this.interval;
    const usable = this.replicas.filter((r) => !r.down && r.checkedAt >= recently);
    if (!usable.length || (await this.writers.recent(user))) return undefined;
    const replica = usable[this.next++ % usable.length];
    try {
      // No second try there: the primary is the fallback.
      return await replica.pool.run<T>(user, s, false);
    } catch (err) {
      // Whatever went wrong there (gone, a recovery conflict, a timeout), the primary answers instead.
      if (connectionLost(err)) this.mark(replica, `a read failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  wrote(user: string): Promise<void> {
    return this.writers.record(user);
  }

  /** One round of the monitor, unless the last one still runs. */
  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.round();
    } finally {
      this.checking = false;
    }
  }

  /** The primary's position, then each replica's replayed one. */
  private async round(): Promise<void> {
    const now = Date.now();
    try {
      const [{ lsn: position }] = (
        await this.primary.run<{ lsn: string }>(SERVICE_KEY, PRIMARY_POSITION, false)
      ).rows;
      this.samples.push({ at: now, lsn: lsn(position) });
      // Enough history to tell any lag up to twice the limit.
      while (this.samples.length > 1 && this.samples[0].at < now - 2 * this.maxLagMs - 2000)
        this.samples.shift();
    } catch (err) {
      // Nothing to compare with: no replica can be shown fresh enough.
      const why = `the primary's position is unknown (${(err as Error).message})`;
      for (const replica of this.replicas) this.mark(replica, why);
      return;
    }
    await Promise.all(
      this.replicas.map(async (replica) => {
        try {
          const [{ lsn: replayed }] = (
            await replica.probe.run<{ lsn: string | null }>(SERVICE_KEY, REPLAYED_POSITION, false)
          ).rows;
          if (replayed === null)
            return this.mark(replica, 'not a standby (pg_last_wal_replay_lsn() is null)');
          const lag = lagMs(this.samples, lsn(replayed), Date.now());
          if (lag === undefined || lag > this.maxLagMs)
            return this.mark(replica, `lagging more than DB_READ_MAX_LAG_MS=${this.maxLagMs}`);
          replica.checkedAt = Date.now();
          this.mark(replica, undefined);
        } catch (err) {
          this.mark(replica, `unreachable: ${(err as Error).message}`);
        }
      }),
    );
  }

  /** Sets a replica's state, logging only the changes. */
  private mark(replica: Replica, down: string | undefined): void {
    if (replica.down === down) return;
    const first = replica.down === 'not checked yet';
    replica.down = down;
    if (down) this.logger.warn(`read replica ${replica.label} not used: ${down}; reads go to the primary`);
    else this.logger.log(`read replica ${replica.label} in use${first ? '' : ' again'}`);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const pools = [this.primary, ...this.replicas.flatMap((r) => [r.pool, r.probe])];
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** A pool of its own for `conn`, under its pool mode's rules. */
function serverPool(conn: ConnectionSettings, env: PoolEnv, name: string): ServerPool {
  const pool = new pg.Pool(poolConfig(conn, env, name));
  // An idle connection the server drops must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return new ServerPool(pool, conn.poolMode, env);
}
