import { parse, toClientConfig } from 'pg-connection-string';
import type pg from 'pg';
import { databaseUrl, readUrls, type Env, type PoolMode } from '../config/env.js';

/*
 * Pool modes (PoolMode, in config/env.ts): how the server at a URL hands out connections. `session`: a connection is ours until we
 * release it (PostgreSQL itself, PgBouncer in session mode). `transaction`: a pooler (PgBouncer in
 * transaction mode, Neon's `-pooler` hosts) may give each transaction, or each statement outside
 * one, to a different server connection, so nothing may outlive a transaction: no startup
 * parameters beyond the five poolers accept, no named prepared statements, no session `SET`.
 */

/** Neon's pooled endpoints: the compute's host name with `-pooler` after its endpoint id. */
const NEON_POOLER_HOST = /^ep-[a-z0-9-]+-pooler\./i;

/** What pg needs to reach one server, read from a `postgres://` URL with libpq's meanings. */
export interface ConnectionSettings {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  ssl: false | pg.ClientConfig['ssl'];
  /** `channel_binding=require`: SCRAM-SHA-256-PLUS when the server offers it (pg falls back otherwise). */
  enableChannelBinding: boolean;
  poolMode: PoolMode;
  /** host:port/database, for logs (never the password). */
  label: string;
}

/** A URL that cannot be used as given, with a message that names what and never shows a password. */
export class ConnectionUrlError extends Error {}

/**
 * Parses a connection URL the way libpq would (pg's own parser, in its libpq-compatible mode):
 * `sslmode=require` encrypts without verifying, `verify-ca` checks the chain against `sslrootcert`,
 * `verify-full` also checks the host name (against `sslrootcert`, or Node's CAs without one, or with
 * libpq's `sslrootcert=system`), `disable`/absent is plain TCP. `channel_binding` never stops a start.
 * Unknown parameters are ignored. `DB_POOL_MODE` overrides the pool-mode detection.
 */
export function connectionSettings(url: string, name: string, mode?: PoolMode): ConnectionSettings {
  let parsed: ReturnType<typeof parse>;
  let params: URLSearchParams;
  try {
    // A URL without a host (`postgresql://u@/db?host=/var/run/postgresql`, libpq's socket form)
    // is valid to libpq and pg, not to WHATWG's URL: its parameters are read with a stand-in host.
    params = new URL(url.replace('@/', '@localhost/')).searchParams;
  } catch {
    // Never the URL itself in the message (nor in an `input` property): it may hold a password.
    throw new ConnectionUrlError(
      `${name}: not a URL this service can read (postgresql://user:password@host:port/database?…)`,
    );
  }
  // libpq's `sslrootcert=system` (PostgreSQL 16+): trusted CAs (here Node's own list), verify-full only.
  const system = params.get('sslrootcert') === 'system';
  if (system) {
    params.delete('sslrootcert');
    const mode = params.get('sslmode') ?? 'verify-full';
    if (mode !== 'verify-full')
      throw new ConnectionUrlError(`${name}: sslrootcert=system needs sslmode=verify-full (got ${mode})`);
    params.set('sslmode', 'verify-full');
  }
  const cleaned = system ? withSearch(url, params) : url;
  try {
    parsed = parse(cleaned, { useLibpqCompat: true });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^SECURITY WARNING: /, '') : String(err);
    throw new ConnectionUrlError(`${name}: ${why.split('. ')[0]}`);
  }
  const host = parsed.host || 'localhost';
  const port = Number(parsed.port || 5432);
  const database = parsed.database ?? undefined;
  const tls = toClientConfig(parsed).ssl;
  const ssl = tls === undefined || tls === false ? false : sslOptions(tls, host);
  return {
    host,
    port,
    user: parsed.user || undefined,
    password: parsed.password || undefined,
    database,
    ssl,
    enableChannelBinding: params.get('channel_binding') === 'require' && ssl !== false,
    poolMode: mode ?? (NEON_POOLER_HOST.test(host) ? 'transaction' : 'session'),
    label: `${host}:${port}/${database ?? ''}`,
  };
}

const withSearch = (url: string, params: URLSearchParams): string => {
  const u = new URL(url);
  u.search = params.toString();
  return u.toString();
};

/** pg's TLS options; SNI by host name (Neon routes on it), never an IP literal (Node refuses those). */
function sslOptions(ssl: NonNullable<pg.ClientConfig['ssl']>, host: string): pg.ClientConfig['ssl'] {
  const options = typeof ssl === 'object' ? { ...ssl } : {};
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return isIp ? options : { servername: host, ...options };
}

/** The databases the service reaches: the primary, the one migrations use, and the read replicas. */
export interface DatabaseTopology {
  primary: ConnectionSettings;
  /** `DATABASE_DIRECT_URL` when set (Neon's advice for migrations), else the primary. */
  migrations: ConnectionSettings;
  replicas: ConnectionSettings[];
}

export type DatabaseEnv = Pick<
  Env,
  'DATABASE_URL' | 'NEON_DATABASE_URL' | 'DATABASE_DIRECT_URL' | 'DATABASE_READ_URLS' | 'DB_POOL_MODE'
>;

/** Reads every database URL of `env`; throws ConnectionUrlError naming the variable at fault. */
export function databaseTopology(env: DatabaseEnv): DatabaseTopology {
  const url = databaseUrl(env);
  if (!url) throw new ConnectionUrlError('DATABASE_URL is not set');
  const primary = connectionSettings(
    url,
    env.DATABASE_URL ? 'DATABASE_URL' : 'NEON_DATABASE_URL',
    env.DB_POOL_MODE,
  );
  return {
    primary,
    migrations: env.DATABASE_DIRECT_URL
      ? connectionSettings(env.DATABASE_DIRECT_URL, 'DATABASE_DIRECT_URL')
      : primary,
    replicas: readUrls(env).map((u, i) =>
      connectionSettings(u, `DATABASE_READ_URLS[${i}]`, env.DB_POOL_MODE),
    ),
  };
}

/** Sent as `application_name`, one of the five startup parameters poolers accept. */
export const APPLICATION_NAME = 'tasks-api';

export type PoolEnv = Pick<Env, 'DB_POOL_MAX' | 'DB_CONNECT_TIMEOUT_MS' | 'DB_STATEMENT_TIMEOUT_MS'>;

/** How long a transaction may sit idle before the server ends it. */
export const idleInTransactionMs = (env: Pick<Env, 'DB_STATEMENT_TIMEOUT_MS'>): number =>
  env.DB_STATEMENT_TIMEOUT_MS * 2;

/**
 * pg pool options for one server. In session mode the statement limits go as startup parameters
 * (the server enforces them on every statement at no cost); in transaction mode a pooler rejects
 * those, so Database sets them with `SET LOCAL` inside each transaction instead, and the pool
 * pipelines (BEGIN, SET LOCAL, the statement and COMMIT leave in one round trip). Either way a
 * client-side limit (`query_timeout`) also ends a statement when the server cannot answer at all.
 */
export function poolConfig(
  conn: ConnectionSettings,
  env: PoolEnv,
  applicationName = APPLICATION_NAME,
): pg.PoolConfig {
  const session =
    conn.poolMode === 'session'
      ? {
          statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
          idle_in_transaction_session_timeout: idleInTransactionMs(env),
        }
      : { pipeline: true };
  return {
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: conn.database,
    ssl: conn.ssl,
    enableChannelBinding: conn.enableChannelBinding,
    max: env.DB_POOL_MAX,
    connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
    query_timeout: env.DB_STATEMENT_TIMEOUT_MS + 1000,
    keepAlive: true,
    application_name: applicationName,
    ...session,
  };
}

const UNTRUSTED_CERTIFICATE =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * A failure to reach the database at start, said in one line with what to check (there is nothing
 * to debug in the service's own code, so no stack), or undefined for any other error.
 */
export function databaseStartupProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code: raw } = err as { code?: unknown };
  const code = typeof raw === 'string' ? raw : '';
  const because = (hint: string) => `cannot connect to the database: ${err.message} (${hint})`;
  if (UNTRUSTED_CERTIFICATE.test(code))
    return because('sslmode=verify-full/verify-ca: sslrootcert must name the CA that signed its certificate');
  if (/unsupported startup parameter/.test(err.message))
    return because('a transaction-mode pooler: set DB_POOL_MODE=transaction');
  if (/does not support SSL/i.test(err.message))
    return because('the server has TLS off: drop sslmode, or turn it on');
  if (/^(28P01|28000)$/.test(code)) return because('check the user and password in the URL');
  if (code === '3D000') return because('create the database, or fix its name in the URL');
  if (
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)$/.test(code) ||
    /timeout/i.test(err.message)
  )
    return because('is it running, and are host and port right?');
  return undefined;
}
