import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PoolMode } from '../config/env.js';
import { idleInTransactionMs } from './connection.js';
import { TYPES } from './timestamps.js';
import { FairShare, PoolBusyError, PoolClosedError } from './fair-share.js';

/** One SQL statement (parsed once per connection as a named prepared statement where that is safe). */
export interface Statement {
  text: string;
  values: unknown[];
  /** What every statement of this text shares: its name, whether it only reads, pg's config. */
  shape: Shape;
}

/** pg's query config without the values: the part every statement of one text shares. */
type QueryBase = Pick<pg.QueryConfig, 'name' | 'text' | 'types'>;

interface Shape {
  name: string;
  /** A plain SELECT: safe to run again on another connection when the first one died under it. */
  readOnly: boolean;
  /** As a named prepared statement (session mode), and unnamed (behind a transaction-mode pooler). */
  named: QueryBase;
  unnamed: QueryBase;
}

/** Statement names by text: the texts come from the code's finite set of shapes, never from input. */
const shapes = new Map<string, Shape>();

/** A statement of `text` (with `$n` placeholders) and its values. */
export function sql(text: string, values: unknown[] = []): Statement {
  let shape = shapes.get(text);
  if (shape === undefined) {
    const name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    shape = {
      name,
      readOnly:
        /^\s*SELECT\b/i.test(text) &&
        !/\b(INSERT|UPDATE|DELETE|FOR\s+UPDATE|FOR\s+SHARE|nextval|pg_\w*lock)\b/i.test(text),
      named: { name, text, types: TYPES },
      unnamed: { text, types: TYPES },
    };
    shapes.set(text, shape);
  }
  return { text, values, shape };
}

/**
 * What a failed statement says about the database, in one place: the connection is gone
 * (connectionLost), or more broadly the database cannot answer now (databaseUnavailable: 503 with
 * Retry-After, never the request's fault). Codes are SQLSTATEs or Node's socket codes; an error
 * without a code is known by its message (pg's, pg-pool's and PgBouncer's words).
 */
const LOST_CODE = /^(08|57P0[123])|^E(CONNRESET|PIPE|TIMEDOUT)$/;
const LOST_MESSAGE =
  /Connection terminated|not queryable|Query read timeout|server conn crashed|ECONNRESET|EPIPE/i;
/**
 * Unavailable with the connection still there, or none made: a statement that ran out of
 * DB_STATEMENT_TIMEOUT_MS (57014: the database could not answer in time), too many connections
 * (53300), a transaction undone by a deadlock or a serialization failure (40P01, 40001: a retry
 * succeeds), and a server that cannot be reached at all.
 */
const UNAVAILABLE_CODE = /^(57014|53300|40P01|40001)$|^E(CONNREFUSED|HOSTUNREACH|NOTFOUND)$/;
const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|timeout exceeded|connection timeout|terminating connection|Cannot use a pool after calling end/i;

/** The error's code, and TypeORM's driver error's (a QueryFailedError wraps pg's). */
function codesOf(err: object): string[] {
  const { code, driverError } = err as { code?: unknown; driverError?: { code?: unknown } };
  return [code, driverError?.code].filter((c): c is string => typeof c === 'string');
}

const messageOf = (err: object): string => {
  const { message } = err as { message?: unknown };
  return typeof message === 'string' ? message : '';
};

/**
 * The connection is gone: the server ended it (`57P01` admin shutdown, `57P02` crash, a pooler's
 * "server conn crashed"), or the socket closed or timed out on our side. Such a connection is
 * destroyed, never returned to the pool.
 */
export function connectionLost(err: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors come from Node's own realm, which is not the
  // caller's under a VM (jest), and a missed lost connection would be a 500 instead of a 503.
  if (typeof err !== 'object' || err === null) return false;
  const { code } = err as { code?: unknown };
  if (typeof code === 'string') return LOST_CODE.test(code);
  return LOST_MESSAGE.test(messageOf(err));
}

/**
 * The database cannot answer now (a lost connection is one case): the request may be tried again
 * shortly. A statement that waited too long for a connection (PoolBusyError), or came after the pool
 * closed (PoolClosedError: the process is stopping), counts too.
 */
export function databaseUnavailable(err: unknown): boolean {
  if (connectionLost(err) || err instanceof PoolBusyError || err instanceof PoolClosedError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const message = messageOf(err);
  return (
    codesOf(err).some((code) => LOST_CODE.test(code) || UNAVAILABLE_CODE.test(code)) ||
    LOST_MESSAGE.test(message) ||
    UNAVAILABLE_MESSAGE.test(message)
  );
}

/**
 * The connection died, and not by our own client-side timeout: the statement may be sent again on
 * another connection when that cannot do anything twice. (After a timeout the server is too slow or
 * gone: trying again would only multiply the wait.)
 */
const diedUnderUs = (err: unknown): boolean =>
  connectionLost(err) && !/Query read timeout/.test(String((err as { message?: unknown }).message));

/**
 * The server ended an idle session (`57P01`, pg_terminate_backend or a shutdown, answered to our
 * statement): the statement never ran, since a backend that is killed while it runs one rolls it
 * back, and one that finished sent its answer first.
 */
const terminatedIdle = (err: unknown): boolean => (err as { code?: unknown }).code === '57P01';

/** What a statement of the app's reports as its command (never BEGIN, SET or COMMIT). */
const WORK = /^(SELECT|INSERT|UPDATE|DELETE|MERGE)$/;

/** The statement limits a pool in transaction mode sets with `SET LOCAL`, and how long a statement waits for a connection. */
export interface StatementLimits {
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_CONNECT_TIMEOUT_MS: number;
}

/** The key of the statements that are no user's (sweeps of expired rows): they share like one more user. */
export const SERVICE_KEY = '';

/**
 * One server's pg pool with the rules of its pool mode (connection.ts). Behind a transaction-mode
 * pooler it keeps no session state: statements are unnamed, and every statement runs in a
 * transaction that starts with `SET LOCAL` of the statement limits (pipelined: one round trip). A
 * statement that finds its connection dead is sent again on another when that cannot do anything
 * twice (a read, or the server ended the connection before it ran).
 *
 * Every statement and transaction is run for a user (a key), and the pool's connections are shared
 * between users by a FairShare: one user alone may take all of them; while others wait, each active
 * user gets an equal share; a statement that waited DB_CONNECT_TIMEOUT_MS for a connection fails
 * (503). Nothing else takes this pool's connections but the health check and the migrations.
 */
export class ServerPool {
  /** Opens a transaction with the statement limits, where startup parameters could not set them. */
  private readonly begin: string;
  /** The pool's connections, shared fairly between users. */
  readonly share: FairShare;

  constructor(
    readonly pool: pg.Pool,
    readonly mode: PoolMode,
    limits: StatementLimits,
  ) {
    this.share = new FairShare(pool.options.max, limits.DB_CONNECT_TIMEOUT_MS);
    this.begin =
      mode === 'session'
        ? 'BEGIN'
        : `BEGIN; SET LOCAL statement_timeout = ${limits.DB_STATEMENT_TIMEOUT_MS}; ` +
          `SET LOCAL idle_in_transaction_session_timeout = ${idleInTransactionMs(limits)}`;
  }

  /**
   * pg's config for `s`: its values on an object whose prototype holds what every statement of its
   * text shares. pg copies a config's own properties per query (cloneQueryConfig, by property
   * descriptors), so one own property is copied instead of four; the text is the same string every
   * time, which pg compares with the one it prepared.
   */
  query(s: Statement): pg.QueryConfig {
    const config = Object.create(this.mode === 'session' ? s.shape.named : s.shape.unnamed) as pg.QueryConfig;
    config.values = s.values;
    return config;
  }

  /**
   * Runs `s` on a pooled connection. When the connection turns out dead, a read is sent again on
   * another; a write only when it certainly did not run: in session mode when the server says it
   * ended the idle session (57P01), behind a pooler when the transaction's BEGIN already failed (the
   * statement and COMMIT travel with it, so a failure on either of those proves nothing).
   */
  run<T extends pg.QueryResultRow>(user: string, s: Statement, retry = true): Promise<pg.QueryResult<T>> {
    let beginFailed = false;
    return this.withConnection(
      user,
      async (client) => {
        beginFailed = false;
        if (this.mode === 'session') return client.query<T>(this.query(s));
        const [begin, result, commit] = await Promise.allSettled([
          client.query(this.begin),
          client.query<T>(this.query(s)),
          client.query('COMMIT'),
        ]);
        if (begin.status === 'rejected') {
          beginFailed = true;
          throw begin.reason;
        }
        if (result.status === 'rejected') throw result.reason;
        if (commit.status === 'rejected') throw commit.reason;
        // Answers out of step (a connection dying mid-pipeline): never hand on a BEGIN's or
        // COMMIT's result as the statement's. Treated as a lost connection.
        if (!WORK.test(result.value.command ?? '') || commit.value.command !== 'COMMIT')
          throw new Error(
            `Connection terminated unexpectedly: pipeline out of step (${result.value.command})`,
          );
        return result.value;
      },
      (err) => retry && (s.shape.readOnly || (this.mode === 'session' ? terminatedIdle(err) : beginFailed)),
    );
  }

  /**
   * Runs `work` in one transaction of `user`'s on one connection: committed when it resolves, rolled
   * back when it throws (the connection destroyed instead when it was lost or timed out).
   */
  transaction<T>(user: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let started = false;
    return this.withConnection(
      user,
      async (client, discard) => {
        started = false;
        await client.query(this.begin);
        started = true;
        try {
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          // A connection that cannot even roll back is not given to anyone else.
          if (connectionLost(err)) discard();
          else await client.query('ROLLBACK').catch(discard);
          throw err;
        }
      },
      // Nothing of `work` ran when the connection was already dead at BEGIN.
      () => !started,
    );
  }

  /**
   * A pooled connection for `use`, once `user`'s turn has come (FairShare), released after it
   * (destroyed when the connection was lost); again on another connection when it died under us and
   * `again(err)` says that is safe. When the server ended every connection at once the pool's idle
   * ones are all dead, so up to the pool's size more times (each dead one fails at once; an
   * unreachable server fails at connect, which is not retried). The turn is held throughout.
   */
  private async withConnection<T>(
    user: string,
    use: (client: pg.PoolClient, discard: () => void) => Promise<T>,
    again: (err: unknown) => boolean,
  ): Promise<T> {
    await this.share.acquire(user);
    try {
      return await this.connected(use, again);
    } finally {
      this.share.release(user);
    }
  }

  /** Refuses every statement from now on (PoolClosedError), then ends the pool once its connections are back. */
  async close(): Promise<void> {
    this.share.close();
    if (!this.pool.ending) await this.pool.end();
  }

  private async connected<T>(
    use: (client: pg.PoolClient, discard: () => void) => Promise<T>,
    again: (err: unknown) => boolean,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // Closed under a waiting statement (the process stops): a 503 of its own, not pg's error.
      if (this.pool.ending) throw new PoolClosedError();
      const client = await this.pool.connect();
      let discarded = false;
      // While it is ours the pool does not listen: a connection the server ends between two
      // statements would raise an unhandled 'error' (a crash). Its next statement fails instead.
      const onError = () => (discarded = true);
      client.on('error', onError);
      const release = (destroy: boolean) => {
        client.off('error', onError);
        client.release(destroy);
      };
      try {
        const result = await use(client, () => (discarded = true));
        release(discarded);
        return result;
      } catch (err) {
        release(connectionLost(err) || discarded);
        if (!(diedUnderUs(err) && attempt <= this.pool.options.max && again(err))) throw err;
      }
    }
  }
}
