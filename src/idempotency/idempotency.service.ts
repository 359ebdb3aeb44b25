import { createHash } from 'node:crypto';
import { ConflictException, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProblemException } from '../errors/problem.exception.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY_FORMAT = /^[\x20-\x7E]{1,255}$/;
const CLEANUP_EVERY_MS = 10 * 60_000;

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** SHA-256 of a value's JSON with sorted keys: equal requests hash equal, whatever their key order. */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object' && !(v instanceof Date)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/** 400 unless the header is 1–255 printable ASCII characters. */
export function checkIdempotencyKey(key: string): string {
  if (!KEY_FORMAT.test(key)) {
    throw new ProblemException(400, 'Idempotency-Key must be 1–255 printable ASCII characters', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
    });
  }
  return key;
}

/**
 * `Idempotency-Key` for creates, kept in PostgreSQL so it holds across any number of instances.
 * One transaction per request: a transaction-scoped advisory lock on (user, key) makes a
 * concurrent duplicate a 409 at once instead of a wait; then either the stored response is
 * replayed (same body), refused (422, other body), or the work runs and its response is stored
 * in the same transaction, so a crash can never leave a task without its key or a key without
 * its task. Keys expire after 24 h (ignored at once, deleted by a periodic sweep).
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  async run(
    userId: string,
    key: string,
    requestHash: string,
    work: (manager: EntityManager) => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0)) AS locked`,
        [userId, key],
      );
      if (!locked) throw new ConflictException('A request with this Idempotency-Key is still in progress');

      const stored = await manager
        .createQueryBuilder(IdempotencyKey, 'k')
        .where('k.user_id = :userId AND k.key = :key AND k.expires_at > now()', { userId, key })
        .getOne();
      if (stored) {
        if (stored.request_hash !== requestHash) {
          throw new ProblemException(
            422,
            'This Idempotency-Key was already used with a different request body',
          );
        }
        return { status: stored.status, body: stored.body, headers: stored.headers, replayed: true };
      }

      const response = await work(manager);
      await manager.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, headers, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(hours => $7))
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
           status = EXCLUDED.status, body = EXCLUDED.body, headers = EXCLUDED.headers,
           created_at = now(), expires_at = EXCLUDED.expires_at`,
        [
          userId,
          key,
          requestHash,
          response.status,
          JSON.stringify(response.body),
          JSON.stringify(response.headers),
          IDEMPOTENCY_TTL_HOURS,
        ],
      );
      return { ...response, replayed: false };
    });
  }

  /** Deletes expired keys (any instance may run it; it is idempotent). */
  async sweep(): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKey)
      .where('expires_at <= now()')
      .execute();
    return result.affected ?? 0;
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((err: Error) => this.logger.warn(`Idempotency key sweep failed: ${err.message}`));
    }, CLEANUP_EVERY_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
