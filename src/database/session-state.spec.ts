import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Behind a transaction-mode pooler (Neon's pooled endpoint, PgBouncer) consecutive transactions of
 * one client may run on different server connections, so SQL that leaves state on a connection
 * breaks silently: it lands on someone else's connection, or is gone at the next statement. This
 * lint fails on such SQL anywhere in src/ and migrations/ (tests and this file aside).
 */
const SESSION_STATE: [string, RegExp][] = [
  // SQL keywords as the code writes them (upper case) at the start of a statement: after the opening
  // quote of a JS string or a `;`, line breaks allowed (so `UPDATE … SET`, `ALTER … SET DEFAULT` and
  // English pass). SET LOCAL and SET CONSTRAINTS last only as long as the transaction.
  [
    'session SET (use SET LOCAL inside a transaction)',
    /[`';]\s*SET\s+(?!LOCAL\b|CONSTRAINTS\b)(SESSION\s+)?\w+/g,
  ],
  ['set_config(…, false) (use true: transaction-local)', /set_config\s*\([^)]*,\s*false\s*\)/gi],
  ['RESET / DISCARD', /[`';]\s*(RESET|DISCARD)\s+\w+/g],
  ['session advisory lock (use pg_advisory_xact_lock)', /pg_(try_)?advisory_lock(_shared)?\s*\(/gi],
  ['LISTEN / UNLISTEN (a pooler cannot deliver notifications)', /[`';]\s*(UN)?LISTEN\s+\w+/g],
  ['temporary table', /CREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE/g],
  ["PREPARE (named statements are Database's business)", /[`';]\s*PREPARE\s+\w+/g],
  ['cursor WITH HOLD', /WITH\s+HOLD/g],
];

/** What in `text` keeps session state: the rule broken, the line and what matched. */
function sessionState(text: string): string[] {
  return SESSION_STATE.flatMap(([rule, pattern]) =>
    [...text.matchAll(pattern)].map((m) => {
      const line = text.slice(0, m.index).split('\n').length;
      return `${rule}: line ${line}: ${m[0].trim()}`;
    }),
  );
}

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );

describe('no session state in SQL (transaction-mode poolers)', () => {
  it.each([
    "query('SET statement_timeout = 0')",
    'sql(`SET search_path TO app`)',
    "query('SET SESSION timezone = 1')",
    'query("SELECT set_config(\'app.user\', $1, false)")',
    "query('SELECT pg_advisory_lock($1)')",
    "query('SELECT pg_try_advisory_lock(1)')",
    "query('LISTEN tasks')",
    "query('CREATE TEMP TABLE x (a int)')",
    'sql(`\n  SET statement_timeout = 0`)',
    "query('DISCARD ALL')",
    "query('PREPARE p AS SELECT 1')",
  ])('catches %s', (line) => {
    expect(sessionState(line)).toHaveLength(1);
  });

  it.each([
    "query('SET LOCAL statement_timeout = 0')",
    "'BEGIN; SET LOCAL statement_timeout = 1'",
    'sql(`UPDATE tasks SET title = $1 WHERE id = $2`)',
    "sql('SELECT pg_try_advisory_xact_lock($1)')",
    'query("SELECT set_config(\'app.user\', $1, true)")',
    "query('SET CONSTRAINTS ALL DEFERRED')",
    'q.query(`ALTER TABLE "t" ALTER COLUMN "s" SET DEFAULT 201`)',
    "'Set DATABASE_URL to use a real database instead.'",
    "['Prepare the team meeting', 'Agenda']",
  ])('lets %s through', (line) => {
    expect(sessionState(line)).toEqual([]);
  });

  it('finds none in src/ and migrations/', () => {
    const files = [...sources('src'), ...sources('migrations')].filter(
      (f) => !f.endsWith('session-state.spec.ts'),
    );
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) => sessionState(readFileSync(f, 'utf8')).map((s) => `${f}: ${s}`));
    expect(found).toEqual([]);
  });
});
