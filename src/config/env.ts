import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { authSettings } from '../auth/auth-settings.js';
import { validTrustProxy } from '../http/client-address.js';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
/** How the server at DATABASE_URL hands out connections (src/database/connection.ts). */
export const POOL_MODES = ['session', 'transaction'] as const;
export type PoolMode = (typeof POOL_MODES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const POSTGRES_URL_LIST = /^\s*postgres(ql)?:\/\/[^\s,]+\s*(,\s*postgres(ql)?:\/\/[^\s,]+\s*)*$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const REDIS_URL = /^rediss?:\/\/[^\s]*$/;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads (the names are part of the API contract).
 * Validated once at boot; read through `ConfigService<Env, true>`.
 */
export class Env {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  NEON_DATABASE_URL?: string;

  /** Migrations use this URL when set (a pooler's direct endpoint, Neon's advice). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_DIRECT_URL?: string;

  /** Read replicas, comma-separated: listing, single reads and stats go there. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(POSTGRES_URL_LIST, { message: 'must be a comma-separated list of postgres:// URLs' })
  DATABASE_READ_URLS?: string;

  /** A replica further behind than this is skipped for the primary; also how long a writer reads from the primary. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_READ_MAX_LAG_MS = 5000;

  /** `transaction` for a transaction-mode pooler that is not recognised by its host name (Neon's are). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(POOL_MODES)
  DB_POOL_MODE?: PoolMode;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_MAX = 10;

  @Transform(toBool)
  @IsBoolean()
  DB_MIGRATE_ON_START = true;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_CONNECT_TIMEOUT_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 10_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  BETTER_AUTH_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(HTTP_URL, { message: 'must be an http(s) URL' })
  BETTER_AUTH_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(HTTP_URL, { message: 'must be an http(s) URL' })
  JWT_JWKS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60)
  JWT_CLOCK_SKEW_S = 30;

  /** Which proxies' X-Forwarded-For to believe: a hop count, or their addresses/CIDRs (unset: none). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** How often the JWKS is fetched again: a key withdrawn there stops verifying within this. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  JWT_JWKS_REFRESH_S = 120;

  /** After this long without a successful JWKS fetch the cached keys are no longer trusted (503). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7 * 86_400)
  JWT_JWKS_MAX_STALE_S = 3600;

  @IsString()
  @Matches(/^\s*https?:\/\/[^\s/,]+\s*(,\s*https?:\/\/[^\s/,]+\s*)*$/, {
    message: 'must be a comma-separated list of origins such as http://localhost:3000',
  })
  CORS_ORIGINS = 'http://localhost:3000';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(REDIS_URL, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_USER_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_IP_PER_MINUTE = 300;

  /**
   * Failed CalDAV sign-ins (HTTP Basic with an app password) per account (the login tried) per
   * minute; beyond, that login is 429 until the window ends, a right password too. 0 disables.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_LOGIN_FAILURES = 10;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /** The most tasks in the lists one user owns (subtasks included); a create or a move beyond is 403. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  MAX_TASKS_PER_USER = 100_000;

  /** The most lists one user may own (the inbox included); a create beyond is 403 "List limit reached". */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_LISTS_PER_USER = 200;

  /** The most members one list may have (the owner included); an accepted invitation beyond is 409 "List is full". */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_MEMBERS_PER_LIST = 50;

  /** How long an invitation into a list can be accepted, in hours from its creation. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8760)
  INVITATION_TTL_HOURS = 168;
  /**
   * A reminder that comes due more than this many minutes late (no instance was running, the
   * database was down) is skipped and recorded as late instead of firing.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_080)
  REMINDER_MAX_LATE_MIN = 60;

  /**
   * How often each instance queues a reminder sweep on the job queue (one per period across all
   * instances): the bound on how long a due reminder waits before its sweep starts.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REMINDER_TICK_MS = 1000;

  /**
   * Lets webhook URLs and push endpoints use `http:` and reach private, loopback and link-local
   * addresses (development and tests only): by default a delivery connects over `https:` to public
   * addresses only, checked when it connects (src/delivery/outbound-address.ts).
   */
  @Transform(toBool)
  @IsBoolean()
  NOTIFY_ALLOW_PRIVATE = false;

  /** A webhook delivery (and a push message) must be answered within this, or it is retried. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /** How often each instance queues a run of the delivery sender (webhooks, Web Push) on the job queue. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DELIVERY_TICK_MS = 1000;

  /**
   * The first retry of a failed delivery waits about this long; each next one twice as long (with
   * jitter, at most an hour), for 24 hours. A `Retry-After` from the receiver overrides it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DELIVERY_RETRY_BASE_MS = 10_000;

  /** Web Push's VAPID key pair (RFC 8292), base64url: the public key (65 bytes, uncompressed P-256). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{87}$/, { message: 'must be a base64url P-256 public key (87 characters)' })
  VAPID_PUBLIC_KEY?: string;

  /** Web Push's VAPID private key (32 bytes, base64url). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be a base64url P-256 private key (43 characters)' })
  VAPID_PRIVATE_KEY?: string;

  /** Who sends the pushes, for the push services: a `mailto:` or `https:` URL. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(mailto:|https:\/\/)\S+$/, { message: 'must be a mailto: or https: URL' })
  VAPID_SUBJECT?: string;

  /** How long tombstones of deleted tasks are kept for incremental sync; an older sync token is 410. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  SYNC_RETENTION_DAYS = 30;

  /** Live event streams (GET /api/tasks/events) one user may hold open (on all instances with REDIS_URL); 429 beyond. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  EVENTS_MAX_STREAMS_PER_USER = 5;

  /** How often an open event stream gets a comment line, so proxies keep it open (the contract: at least every 15 s). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(15_000)
  EVENTS_HEARTBEAT_MS = 10_000;

  /** The longest an event stream stays open, whatever its token's lifetime; the client reconnects then. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  EVENTS_MAX_STREAM_S = 3600;

  /** The request headers must have arrived within this (Node's headersTimeout). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** The whole request must have arrived within this (Node's requestTimeout; 0 would disable it). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Open connections per process; more are closed as they arrive. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS = 10_000;

  /**
   * Open connections per client address (an IPv4 address, an IPv6 /64), counted by the socket's
   * peer; peers TRUST_PROXY names (all of them, with a hop count) are proxies and not counted. 0: no cap.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS_PER_IP = 256;

  /** Bytes of a response queued in the process must be taken by the client within this, or its connection is closed. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  HTTP_RESPONSE_TIMEOUT_MS = 30_000;

  /** What the process holds for responses its clients have not taken, all connections together (MiB). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65_536)
  HTTP_UNSENT_MAX_MB = 64;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WEB_CONCURRENCY = 1;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /**
   * How far V8 lets the old generation grow past what survived the last full GC before it runs
   * another (V8's `--heap-growing-percent`); 0 keeps V8's own rule, which allows up to 4×.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  HEAP_GROWTH_PERCENT = 70;
}

/** The connection string in force: `DATABASE_URL`, else its alias `NEON_DATABASE_URL`. */
export const databaseUrl = (env: Pick<Env, 'DATABASE_URL' | 'NEON_DATABASE_URL'>): string | undefined =>
  env.DATABASE_URL ?? env.NEON_DATABASE_URL;

/** `DATABASE_READ_URLS` as a list. */
export const readUrls = (env: Pick<Env, 'DATABASE_READ_URLS'>): string[] =>
  (env.DATABASE_READ_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

export const corsOrigins = (env: Pick<Env, 'CORS_ORIGINS'>): string[] =>
  env.CORS_ORIGINS.split(',').map((o) => o.trim());

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'EnvValidationError';
  }
}

const describe = (e: ValidationError): string => {
  const value = e.value === undefined ? 'missing' : `got ${JSON.stringify(String(e.value))}`;
  const why = Object.values(e.constraints ?? {}).join(', ');
  // Secrets are never echoed back, only their length.
  const shown = /SECRET|PRIVATE_KEY/.test(e.property) ? 'value hidden' : value;
  return `${e.property} ${why} (${shown})`;
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Rules that span several variables (most only in production). */
function crossChecks(env: Env): string[] {
  const problems: string[] = [];
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not be more than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (env.TRUST_PROXY !== undefined && !validTrustProxy(env.TRUST_PROXY)) {
    problems.push(
      `TRUST_PROXY must be a hop count (1) or a comma-separated list of proxy addresses, CIDRs, loopback, linklocal or uniquelocal (got ${JSON.stringify(env.TRUST_PROXY)})`,
    );
  }
  if (env.JWT_JWKS_MAX_STALE_S < env.JWT_JWKS_REFRESH_S) {
    problems.push('JWT_JWKS_MAX_STALE_S must not be less than JWT_JWKS_REFRESH_S');
  }
  if (env.DATABASE_READ_URLS && env.WEB_CONCURRENCY > 1 && !env.REDIS_URL) {
    problems.push(
      'DATABASE_READ_URLS with WEB_CONCURRENCY > 1 needs REDIS_URL: a user must read their own writes on every worker',
    );
  }
  const vapid = [env.VAPID_PUBLIC_KEY, env.VAPID_PRIVATE_KEY, env.VAPID_SUBJECT].filter(Boolean).length;
  if (vapid !== 0 && vapid !== 3) {
    problems.push(
      'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT go together: set all three (Web Push) or none',
    );
  }
  if (env.NODE_ENV !== 'production') return problems;
  const auth = authSettings(env);
  if (!env.BETTER_AUTH_SECRET && !auth.jwksUrl) {
    problems.push(
      'BETTER_AUTH_SECRET or BETTER_AUTH_URL (or JWT_JWKS_URL) is required in production: no way to trust a token',
    );
  }
  if (env.BETTER_AUTH_SECRET && Buffer.byteLength(env.BETTER_AUTH_SECRET) < 32) {
    problems.push('BETTER_AUTH_SECRET must be at least 32 bytes in production (value hidden)');
  }
  if (auth.jwksUrl && (!auth.issuer || !auth.audience)) {
    problems.push(
      'JWT_ISSUER and JWT_AUDIENCE are required in production with JWT_JWKS_URL (or set BETTER_AUTH_URL: both default to its origin): ' +
        "otherwise any token Better Auth's keys sign would pass, its session-cache tokens included",
    );
  }
  if (auth.jwksUrl?.protocol === 'http:' && !LOOPBACK.test(auth.jwksUrl.hostname)) {
    problems.push(
      `the JWKS must be fetched over https: in production (got ${auth.jwksUrl.origin}; loopback addresses excepted): set JWT_JWKS_URL or BETTER_AUTH_URL to an https: URL`,
    );
  }
  if (!databaseUrl(env)) {
    problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development only)');
  }
  return problems;
}

/** Parses and validates raw environment variables; throws EnvValidationError naming each bad one. */
export function validateEnv(raw: Record<string, unknown>): Env {
  // whitelist drops every variable that is not a property of Env (PATH, HOME, …).
  const env = plainToInstance(Env, raw);
  const errors = validateSync(env, { whitelist: true });
  const problems = [...errors.map(describe), ...crossChecks(env)];
  if (problems.length) throw new EnvValidationError(problems);
  return env;
}
