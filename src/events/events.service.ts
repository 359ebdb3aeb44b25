import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthUser } from '../auth/auth-user.js';
import { TokenTrust } from '../auth/token-trust.js';
import type { Env } from '../config/env.js';
import { ShutdownState } from '../health/shutdown-state.js';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { ChangesService } from '../sync/changes.service.js';
import { InvalidSyncTokenError } from '../sync/sync.errors.js';
import { RedisConnections } from '../redis/redis.js';
import { ChangeNotifier } from './change-notifier.js';
import type { EventSink } from './event-sink.js';
import { EventStream, type EndReason } from './event-stream.js';
import { InstanceStoppingError, TooManyStreamsError } from './events.errors.js';
import { StreamSlots } from './stream-slots.js';

/**
 * Live event streams (GET /api/tasks/events): the changes of the user's lists and, as they fire, the
 * user's notifications (`event: reminder`, from the outbox). Opens them (at most EVENTS_MAX_STREAMS_PER_USER per
 * user, counted across instances with Redis: StreamSlots), feeds them from the ChangeNotifier,
 * sends each a comment every EVENTS_HEARTBEAT_MS, ends each when its bearer token expires or stops
 * being trusted (its key left the JWKS, the JWKS went stale: TokenTrust) and after EVENTS_MAX_STREAM_S,
 * and ends them all at once when the process starts stopping (SIGTERM), so the graceful stop is not
 * held by them.
 */
@Injectable()
export class EventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventsService.name);
  /** Open streams, with the slot each holds. */
  private readonly streams = new Map<EventStream, { user: string; slot: string }>();
  private readonly slots: StreamSlots;
  private readonly maxPerUser: number;
  private readonly heartbeatMs: number;
  private readonly skewS: number;
  private readonly maxStreamMs: number;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly feed: ChangesService,
    private readonly notifier: ChangeNotifier,
    private readonly shutdown: ShutdownState,
    private readonly trust: TokenTrust,
    private readonly notifications: NotificationsRepository,
    config: ConfigService<Env, true>,
    redis: RedisConnections,
  ) {
    this.maxPerUser = config.get('EVENTS_MAX_STREAMS_PER_USER', { infer: true });
    this.heartbeatMs = config.get('EVENTS_HEARTBEAT_MS', { infer: true });
    this.skewS = config.get('JWT_CLOCK_SKEW_S', { infer: true });
    this.maxStreamMs = config.get('EVENTS_MAX_STREAM_S', { infer: true }) * 1000;
    // A lease outlives two missed heartbeats.
    this.slots = new StreamSlots(this.maxPerUser, 3 * this.heartbeatMs, redis.client, this.logger);
  }

  onModuleInit(): void {
    this.heartbeat = setInterval(() => {
      const look = this.notifier.mayMiss;
      for (const stream of this.streams.keys()) {
        stream.heartbeat();
        if (look) void stream.pull();
      }
      this.slots.renew([...this.streams.values()]);
    }, this.heartbeatMs);
    this.heartbeat.unref();
    this.shutdown.onStop(() => this.endAll());
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    this.endAll();
  }

  /** How many streams are open on this instance. */
  get open(): number {
    return this.streams.size;
  }

  /**
   * Serves one stream for `user` on `sink`, from `since` (a sync token: changes after it are sent
   * first) or from now on. Errors before the stream starts (a bad token: 400, too many streams:
   * 429, stopping: 503) are thrown as domain errors (TaskProblemsFilter maps them).
   */
  async stream(user: AuthUser, since: string | undefined, sink: EventSink): Promise<void> {
    if (this.shutdown.stopping) throw new InstanceStoppingError();
    if (since !== undefined && !(await this.feed.isToken(user.sub, since))) throw new InvalidSyncTokenError();
    const slot = await this.slots.take(user.sub);
    if (slot === undefined) throw new TooManyStreamsError(this.maxPerUser);
    const release = () => this.slots.release(user.sub, slot);
    let token: string;
    let notesFrom: number;
    try {
      // Notifications (event: reminder) from the newest one now on: they are live, never replayed.
      [token, notesFrom] = await Promise.all([
        since ?? this.feed.headToken(user.sub),
        this.notifications.lastSeq(user.sub),
      ]);
    } catch (err) {
      release();
      throw err;
    }
    if (sink.gone) return release();
    // SIGTERM may have come while the token was read: endAll() has run, so do not start.
    if (this.shutdown.stopping) {
      release();
      throw new InstanceStoppingError();
    }
    let stopListening = () => {};
    let stopWatching = () => {};
    let watching = 0;
    /**
     * Listens for the writes of the user and of everyone who shares a list with them (a task write is
     * announced as its writer's), then pulls: a write that committed before the new listeners is in
     * that pull. Again whenever the stream's lists changed (joined, left, a member came or went).
     */
    const watch = async (): Promise<void> => {
      const turn = ++watching;
      const users = await this.feed.watched(user.sub);
      if (turn !== watching || stream.over) return;
      const stops = users.map((u) => this.notifier.listen(u, () => void stream.pull()));
      stopListening();
      stopListening = () => stops.forEach((stop) => stop());
      await stream.pull();
    };
    const stream = new EventStream(
      sink,
      user.sub,
      token,
      this.feed,
      this.logger,
      () => {
        this.streams.delete(stream);
        stopListening();
        stopWatching();
        release();
      },
      () =>
        void watch().catch((err: Error) => {
          this.logger.warn(`Event stream of ${user.sub} ended: ${err.message}`);
          stream.end();
        }),
      {
        from: notesFrom,
        after: (u, seq, limit) => this.notifications.notificationsAfter(u, seq, limit),
      },
    );
    this.streams.set(stream, { user: user.sub, slot });
    // The user's own writes first (a removal or a list deletion is announced as theirs), then the
    // stream opens; `watch` adds the other members' and makes the first pull.
    stopListening = this.notifier.listen(user.sub, () => void stream.pull());
    // Until the bearer token expires (with the clock skew tokens are accepted with), or for
    // EVENTS_MAX_STREAM_S if that comes first, or until the token stops being trusted: the client
    // reconnects with a fresh one.
    stream.open(this.endOf(user), since === undefined);
    stopWatching = this.trust.watch(user, (why) => stream.end(why));
    // The stream has started: a failure here ends it (the client reconnects), it is no error answer.
    await watch().catch((err: Error) => {
      this.logger.warn(`Event stream of ${user.sub} ended: ${err.message}`);
      stream.end();
    });
  }

  /** When and why a stream of `user` that starts now ends, unless something ends it sooner. */
  private endOf(user: AuthUser): { at: number; reason: EndReason } {
    const expires = (user.exp + this.skewS) * 1000;
    const longest = Date.now() + this.maxStreamMs;
    return expires <= longest
      ? { at: expires, reason: 'token-expired' }
      : { at: longest, reason: 'max-duration' };
  }

  private endAll(): void {
    for (const stream of [...this.streams.keys()]) stream.end('stopping');
  }
}
