import type pg from 'pg';
import type { ServerPool } from './server-pool.js';
import { sql } from './server-pool.js';
import { Transaction } from './transaction.js';

/** A transaction over a fake connection that answers every statement with `command` and `rowCount`. */
function transaction(command: string, rowCount: number) {
  const sent: string[] = [];
  const client = {
    query: (q: { text: string } | string) => {
      sent.push(typeof q === 'string' ? q : q.text);
      return Promise.resolve({ command, rowCount, rows: [] });
    },
  } as unknown as pg.PoolClient;
  const pool = { query: (s: { text: string }) => ({ text: s.text }) } as unknown as ServerPool;
  return { tx: new Transaction('alice', client, pool), sent };
}

describe('Transaction', () => {
  it('wrote: only a write that changed rows, whatever command it reports; never reads or bookkeeping', async () => {
    const reads = transaction('SELECT', 3);
    await reads.tx.query(sql('SELECT 1'));
    expect(reads.tx.wrote).toBe(false);
    const none = transaction('UPDATE', 0);
    await none.tx.query(sql('UPDATE t SET x = 1'), true);
    expect(none.tx.wrote).toBe(false);
    const keyed = transaction('INSERT', 1);
    await keyed.tx.query(sql('INSERT INTO k VALUES (1)'));
    expect(keyed.tx.wrote).toBe(false);
    await keyed.tx.query(sql('INSERT INTO t VALUES (1)'), true);
    expect(keyed.tx.wrote).toBe(true);
    // A data-modifying CTE that ends in a SELECT: PostgreSQL reports SELECT and the rows it returned.
    const cte = transaction('SELECT', 1);
    await cte.tx.query(sql('WITH l AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM l'), true);
    expect(cte.tx.wrote).toBe(true);
  });

  it('announced: the users named to it, and its own user once when it wrote', async () => {
    const { tx } = transaction('UPDATE', 1);
    tx.announce(['alice', 'bob']);
    expect([...tx.announced].sort()).toEqual(['alice', 'bob']);
    const quiet = transaction('UPDATE', 1).tx;
    expect([...quiet.announced]).toEqual([]);
    await quiet.query(sql('UPDATE t SET x = 1'), true);
    quiet.announce(['alice']);
    expect([...quiet.announced]).toEqual(['alice']);
  });

  it('refuses statements once its work has ended, sending nothing', async () => {
    const { tx, sent } = transaction('UPDATE', 1);
    tx.end();
    await expect(tx.query(sql('UPDATE t SET x = 1'))).rejects.toThrow(
      /after the transaction of alice had ended/,
    );
    await expect(tx.savepoint(() => Promise.resolve(1))).rejects.toThrow(/had ended/);
    expect(sent).toEqual([]);
  });
});
