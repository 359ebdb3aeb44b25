import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Database } from '../database/database.js';
import { RedisConnections } from '../redis/redis.js';

/** The Redis channel on which instances tell each other whose tasks changed. */
export const CHANGES_CHANNEL = 'tasks-api:changes';

/**
 * "User X's tasks changed", from every committed write (Database.onWrite) to whoever listens for X
 * on this instance (live event streams), and, with REDIS_URL, on every instance (Redis pub/sub: a
 * message per write, `<instance> <user>`, published on the shared client and received on the
 * instance's one subscriber connection). Only that: a listener then reads what changed from the
 * change feed, after its own token, so a message that arrives late, twice or out of order costs a
 * query, never an event. No LISTEN/NOTIFY: a transaction pooler (PgBouncer) breaks it.
 *
 * Without Redis, or while it is away, instances deliver to their own streams only (with a log
 * line); `mayMiss` says so, and streams then also look for changes on every heartbeat. When the
 * subscription comes back, every listener looks once (`catchUp`).
 */
@Injectable()
export class ChangeNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangeNotifier.name);
  private readonly instance = randomUUID();
  private readonly listeners = new Map<string, Set<() => void>>();
  private publisher?: Redis;
  private subscriber?: Redis;
  /** Whether the subscription is down (warned once per outage), and whether publishing is. */
  private subscriptionDown = false;
  private publishDown = false;
  private closing = false;

  constructor(
    private readonly db: Database,
    private readonly redis: RedisConnections,
  ) {}

  onModuleInit(): void {
    this.db.onWrite((user) => this.changed(user));
    const subscriber = this.redis.subscriber();
    if (!subscriber) return;
    this.publisher = this.redis.client;
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      const space = message.indexOf(' ');
      if (space > 0 && message.slice(0, space) !== this.instance) this.deliver(message.slice(space + 1));
    });
    subscriber.on('ready', () => {
      if (this.subscriptionDown)
        this.logger.log('Redis subscription is back: announcements from other instances arrive again');
      this.subscriptionDown = false;
      this.catchUp();
    });
    subscriber.on('close', () => this.subscriptionLost('the connection closed'));
    subscriber.subscribe(CHANGES_CHANNEL).catch((err: Error) => this.subscriptionLost(err.message));
  }

  /** RedisConnections closes the connections, after this (so their closing is no outage). */
  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Calls `listener` whenever `user`'s tasks may have changed; returns what stops it. */
  listen(user: string, listener: () => void): () => void {
    let set = this.listeners.get(user);
    if (!set) this.listeners.set(user, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(user);
    };
  }

  /** Whether changes made through other instances may go unannounced here (Redis configured but away). */
  get mayMiss(): boolean {
    return this.subscriber !== undefined && this.subscriber.status !== 'ready';
  }

  private changed(user: string): void {
    this.deliver(user);
    this.publisher?.publish(CHANGES_CHANNEL, `${this.instance} ${user}`).then(
      () => {
        if (this.publishDown) this.logger.log('Redis takes announcements again');
        this.publishDown = false;
      },
      (err: Error) => {
        if (this.publishDown || this.closing) return;
        this.publishDown = true;
        this.logger.warn(
          `Redis unavailable (${err.message}): changes made here reach this instance's streams only until it is back`,
        );
      },
    );
  }

  private deliver(user: string): void {
    for (const listener of this.listeners.get(user) ?? []) listener();
  }

  private catchUp(): void {
    for (const set of this.listeners.values()) for (const listener of set) listener();
  }

  private subscriptionLost(reason: string): void {
    if (this.subscriptionDown || this.closing) return;
    this.subscriptionDown = true;
    this.logger.warn(
      `Redis subscription lost (${reason}): streams here look for changes on every heartbeat until it is back`,
    );
  }
}
