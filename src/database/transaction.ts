import type pg from 'pg';
import type { ServerPool, Statement } from './server-pool.js';

/** PostgreSQL refuses every statement of a transaction that an error aborted, until the rollback. */
const IN_FAILED_TRANSACTION = '25P02';

const SAVEPOINT = 'SAVEPOINT unit';
const RELEASE = 'RELEASE SAVEPOINT unit';
const ROLLBACK_TO = 'ROLLBACK TO SAVEPOINT unit';
const PROBE = 'SELECT 1';

/**
 * Whether a write's result says it changed rows: rows affected (INSERT, UPDATE, DELETE) or rows
 * returned (a data-modifying CTE ends in a SELECT, whose rows are those it changed). Its caller
 * decides that the statement is a write (Database.write); reads and bookkeeping are never asked.
 */
export const changedRows = (result: pg.QueryResult): boolean => (result.rowCount ?? 0) > 0;

/**
 * One open transaction of one user's work on the primary, as `Database.transaction` hands it out.
 * It remembers whether any statement changed rows: when it has, the user's write is announced once,
 * after COMMIT (Database.transaction), and never when it rolled back. Statements reach it through
 * `Database` (read, rows, write), which runs them here while the transaction's work is running.
 */
export class Transaction {
  private changed = false;
  private ended = false;
  private readonly others = new Set<string>();

  constructor(
    /** Whose data this transaction writes: the one user its commit announces. */
    readonly user: string,
    private readonly client: pg.PoolClient,
    private readonly pool: ServerPool,
  ) {}

  /** Whether a statement of this transaction changed rows. */
  get wrote(): boolean {
    return this.changed;
  }

  /**
   * Has the commit announce a write of each of `users` too (a change by this transaction's user that
   * changes what others see: a list renamed, shared or left), with this user's own: each once.
   */
  announce(users: Iterable<string>): void {
    for (const user of users) this.others.add(user);
  }

  /** Whom the commit announces: the users given to `announce`, and this transaction's user when it wrote. */
  get announced(): Set<string> {
    const users = new Set(this.others);
    if (this.changed) users.add(this.user);
    return users;
  }

  /**
   * Runs `s` in this transaction. With `announced` (a write of the user's data: Database.write), a
   * result that changed rows makes the commit announce the user's write; reads and bookkeeping (a
   * stored Idempotency-Key, a reminder: nothing a reader of their tasks needs to hear of) never do.
   */
  async query<T extends pg.QueryResultRow>(s: Statement, announced = false): Promise<pg.QueryResult<T>> {
    this.open();
    const result = await this.client.query<T>(this.pool.query(s));
    if (announced && changedRows(result)) this.changed = true;
    return result;
  }

  /**
   * Called when the transaction's work has finished (before COMMIT or ROLLBACK): from then on the
   * connection goes back to the pool, and a statement that still arrives here (work that was started
   * inside the transaction and not awaited) fails instead of running in whatever transaction that
   * connection holds next.
   */
  end(): void {
    this.ended = true;
  }

  private open(): void {
    if (this.ended) throw new Error(`a statement arrived after the transaction of ${this.user} had ended`);
  }

  /**
   * Runs `work` under a savepoint: when it throws, what it did is undone and the transaction goes
   * on (the error is thrown on). A savepoint costs two round trips: use it only where an error in
   * PostgreSQL must not undo the whole transaction.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    this.open();
    await this.client.query(SAVEPOINT);
    try {
      const result = await work();
      await this.client.query(RELEASE);
      return result;
    } catch (err) {
      await this.client.query(ROLLBACK_TO);
      await this.client.query(RELEASE);
      throw err;
    }
  }

  /** Whether an error aborted this transaction: PostgreSQL then refuses every statement until the rollback. */
  async aborted(): Promise<boolean> {
    this.open();
    try {
      await this.client.query(PROBE);
      return false;
    } catch (err) {
      if ((err as { code?: unknown }).code === IN_FAILED_TRANSACTION) return true;
      throw err;
    }
  }
}
