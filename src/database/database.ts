import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { TYPES } from './timestamps.js';

/** One SQL statement, run as a named prepared statement (parsed once per connection). */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/** Statement names by text: the texts come from the code's finite set of shapes, never from input. */
const names = new Map<string, string>();

/** A statement of `text` (with `$n` placeholders) and its values. */
export function sql(text: string, values: unknown[] = []): Statement {
  let name = names.get(text);
  if (name === undefined) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** Where a statement runs: the pool, or one connection inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * The one way the app's code reaches PostgreSQL: TypeORM's own pg pool (its timeouts, its
 * connections), with plain parameterised SQL. TypeORM owns the entities, the migrations and the
 * DataSource; the hot paths skip its query building and entity hydration. Rows come back with
 * `timestamptz` already as ISO strings (see timestamps.ts).
 */
@Injectable()
export class Database {
  private readonly pool: pg.Pool;

  constructor(dataSource: DataSource) {
    // The one cast into TypeORM's driver: its PostgresDriver keeps the pg.Pool as `master`.
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /** Runs `s` on the pool, or on `on` (a transaction's connection); the rows. */
  async rows<T>(s: Statement, on: Queryable = this.pool): Promise<T[]> {
    return (await on.query<T & pg.QueryResultRow>({ ...s, types: TYPES })).rows;
  }

  /** Runs `s`; how many rows it wrote. */
  async execute(s: Statement, on: Queryable = this.pool): Promise<number> {
    return (await on.query({ ...s, types: TYPES })).rowCount ?? 0;
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when
   * it throws (and the connection discarded if even the rollback fails).
   */
  async transaction<T>(work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
