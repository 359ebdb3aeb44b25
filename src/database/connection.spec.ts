import { connectionSettings, databaseStartupProblem, databaseTopology, poolConfig } from './connection.js';

const LIMITS = { DB_POOL_MAX: 10, DB_CONNECT_TIMEOUT_MS: 5000, DB_STATEMENT_TIMEOUT_MS: 10_000 };
const NEON = 'postgresql://alice:s3cret@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb';

describe('connectionSettings', () => {
  it("recognises Neon's pooled hosts, and only them, as transaction-mode poolers", () => {
    expect(connectionSettings(`${NEON}?sslmode=require`, 'DATABASE_URL').poolMode).toBe('transaction');
    expect(connectionSettings(NEON.replace('-pooler', ''), 'DATABASE_URL').poolMode).toBe('session');
    expect(connectionSettings('postgresql://u@db.internal:6432/app', 'DATABASE_URL').poolMode).toBe(
      'session',
    );
  });

  it('lets DB_POOL_MODE say so for any other pooler, either way', () => {
    expect(connectionSettings('postgresql://u@db.internal:6432/app', 'X', 'transaction').poolMode).toBe(
      'transaction',
    );
    expect(connectionSettings(NEON, 'X', 'session').poolMode).toBe('session');
  });

  it.each([
    ['', false],
    ['?sslmode=disable', false],
    ['?sslmode=require', { rejectUnauthorized: false, servername: 'db.example.com' }],
    ['?sslmode=prefer', { rejectUnauthorized: false, servername: 'db.example.com' }],
    ['?sslmode=verify-full', { servername: 'db.example.com' }],
    ['?sslrootcert=system', { servername: 'db.example.com' }],
  ])('gives sslmode libpq\'s meaning: "%s"', (query, ssl) => {
    expect(connectionSettings(`postgresql://u:p@db.example.com/app${query}`, 'DATABASE_URL').ssl).toEqual(
      ssl,
    );
  });

  it('sends no server name for an IP address (Node refuses SNI with one)', () => {
    expect(connectionSettings('postgresql://u@10.0.0.5/app?sslmode=require', 'X').ssl).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('honours channel_binding=require when TLS is on, and never fails on it', () => {
    expect(
      connectionSettings(`${NEON}?sslmode=require&channel_binding=require`, 'X').enableChannelBinding,
    ).toBe(true);
    expect(connectionSettings(`${NEON}?channel_binding=require`, 'X').enableChannelBinding).toBe(false);
  });

  it("reads libpq's socket form, and refuses sslrootcert=system without verify-full", () => {
    expect(connectionSettings('postgresql://u:p@/app?host=/var/run/postgresql', 'X')).toMatchObject({
      host: '/var/run/postgresql',
      database: 'app',
      ssl: false,
    });
    expect(() => connectionSettings('postgresql://u@db/app?sslrootcert=system&sslmode=prefer', 'X')).toThrow(
      /X: sslrootcert=system needs sslmode=verify-full \(got prefer\)/,
    );
  });

  it('never shows a URL it cannot read (it may hold a password)', () => {
    let err: unknown;
    try {
      connectionSettings('postgresql://alice:s3cret@[bad/app', 'DATABASE_URL');
    } catch (e) {
      err = e;
    }
    expect(JSON.stringify(err) + String(err)).not.toContain('s3cret');
    expect(String(err)).toMatch(/DATABASE_URL: not a URL/);
  });

  it('names the variable of a URL it cannot use, without its password', () => {
    let message = '';
    try {
      connectionSettings('postgresql://alice:s3cret@db/app?sslmode=verify-ca', 'DATABASE_READ_URLS[1]');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^DATABASE_READ_URLS\[1\]: Using sslmode=verify-ca requires specifying a CA/);
    expect(message).not.toContain('s3cret');
    expect(connectionSettings(NEON, 'X').label).toBe(
      'ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech:5432/neondb',
    );
  });
});

describe('databaseTopology', () => {
  it('migrates on DATABASE_DIRECT_URL when set, and reads from each DATABASE_READ_URLS entry', () => {
    const t = databaseTopology({
      NEON_DATABASE_URL: NEON,
      DATABASE_DIRECT_URL: NEON.replace('-pooler', ''),
      DATABASE_READ_URLS: ' postgresql://r1/app , postgresql://r2:5433/app',
    });
    expect(t.primary.poolMode).toBe('transaction');
    expect(t.migrations).toMatchObject({
      host: 'ep-cool-darkness-123456.us-east-2.aws.neon.tech',
      poolMode: 'session',
    });
    expect(t.replicas.map((r) => r.label)).toEqual(['r1:5432/app', 'r2:5433/app']);
  });
});

describe('poolConfig', () => {
  // The startup parameters PgBouncer and Neon's pooler accept (pg also sends client_encoding).
  const POOLER_SAFE = ['application_name'];
  const STARTUP = [
    'statement_timeout',
    'idle_in_transaction_session_timeout',
    'lock_timeout',
    'options',
    ...POOLER_SAFE,
  ];

  it('sets the statement limits as startup parameters on a direct connection', () => {
    const config = poolConfig(connectionSettings('postgresql://u@db/app', 'X'), LIMITS);
    expect(config).toMatchObject({ statement_timeout: 10_000, idle_in_transaction_session_timeout: 20_000 });
    expect(config).not.toHaveProperty('pipeline');
  });

  it('sends only what a transaction-mode pooler accepts, and pipelines', () => {
    const config = poolConfig(connectionSettings(NEON, 'X'), LIMITS) as Record<string, unknown>;
    expect(STARTUP.filter((k) => config[k] !== undefined)).toEqual(POOLER_SAFE);
    expect(config).toMatchObject({ pipeline: true, query_timeout: 11_000 });
  });
});

describe('databaseStartupProblem', () => {
  it.each([
    [
      Object.assign(new Error('unable to verify the first certificate'), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
      /sslrootcert/,
    ],
    [new Error('unsupported startup parameter: statement_timeout'), /DB_POOL_MODE=transaction/],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      /is it running/,
    ],
    [Object.assign(new Error('database "x" does not exist'), { code: '3D000' }), /create the database/],
  ])('says what to check: %s', (err, hint) => {
    expect(databaseStartupProblem(err)).toMatch(hint);
  });

  it('leaves other errors alone (they keep their stack)', () => {
    expect(databaseStartupProblem(new TypeError('x is not a function'))).toBeUndefined();
  });
});
