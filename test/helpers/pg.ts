import pg from 'pg';

/** Runs one statement on `url` over a client of its own (connected, used, closed). */
export async function queryOnce<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<T>(text, values);
  } finally {
    await client.end();
  }
}

/**
 * A pool on the test database itself (not through the app, nor through PgBouncer when the run uses
 * one) for the test file it is called in: open before its tests, closed after them. Returns what
 * runs a statement and gives its rows.
 */
/** A statement on the database itself, its rows. */
export type DirectQuery = <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<T[]>;

export function useDirectQuery(): DirectQuery {
  let pool: pg.Pool | undefined;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: process.env.E2E_DIRECT_DATABASE_URL, max: 2 });
  });
  afterAll(() => pool?.end());
  return async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await pool!.query<T>(text, values)).rows;
}
