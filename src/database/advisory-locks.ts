import { sql, type Statement } from './server-pool.js';

/**
 * The class of each of the app's advisory locks: the first key of PostgreSQL's two-key form
 * `pg_advisory_xact_lock(int4, int4)`, one per purpose, so that whatever one purpose hashes into
 * the second key (a user id, a client's Idempotency-Key) can never take, or wait for, another
 * purpose's lock. (The one-key bigint form is a space apart again: pg_locks shows it with
 * `objsubid` 1, this one with 2.) Every lock is transaction-scoped (`_xact_`): a session lock would
 * stay on whichever server connection a transaction-mode pooler lent.
 *
 * The values only need to differ from one another; they are unlike small numbers so that other
 * software sharing the database and using the two-key form with its own classes is unlikely to
 * meet them. A hash collision inside one class only makes two holders wait for one another (or an
 * Idempotency-Key request answer 409 "in flight"); it never lets one act on the other's data.
 */
export const LOCK_CLASS = {
  /** One migrator at a time per database (second key 0). */
  migrations: 0x7441_0001,
  /** A list's ordering lock, held by placements of its tasks (second key: `hashtext(list id)`). */
  taskOrder: 0x7441_0002,
  /** An Idempotency-Key in flight (second key: `hashtext(user id || '\n' || key)`). */
  idempotencyKey: 0x7441_0003,
  /** Creates of a user's lists, counted against MAX_LISTS_PER_USER in turn (second key: `hashtext(user id)`). */
  listsOfUser: 0x7441_0004,
  /** Reminders set on one task by one user, counted against the per-task limit in turn (second key: `hashtext(task id || '\n' || user id)`). */
  remindersOfTask: 0x7441_0031,
  /** Creates of a user's webhooks, counted against the per-user limit in turn (second key: `hashtext(user id)`). */
  webhooksOfUser: 0x7441_0032,
  /** Creates of a user's push subscriptions, counted against the per-user limit in turn (second key: `hashtext(user id)`). */
  pushSubscriptionsOfUser: 0x7441_0033,
  /** Creates of a user's app passwords, counted against their limit in turn (second key: `hashtext(user id)`). */
  appPasswordsOfUser: 0x7441_0041,
  /** A CalDAV resource name in a list, taken by one create at a time (second key: `hashtext(list id || '\n' || name)`). */
  davResourceName: 0x7441_0042,
} as const;

/**
 * The statement that takes lock `lockClass` on `parts` until the transaction ends: the second key is
 * `hashtext` of the parts joined by newlines (a user id; a task id and a user id...), so ids of
 * different things can never make the same key by running into one another.
 */
export const advisoryLock = (lockClass: number, ...parts: string[]): Statement =>
  sql('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockClass, parts.join('\n')]);
