import type { Logger } from '@nestjs/common';
import type { EventSink } from './event-sink.js';
import type { OutboxEntry } from '../notifications/notification.js';
import type { ChangesService, PageEntry } from '../sync/changes.service.js';
import { SyncTokenExpiredError } from '../sync/sync.errors.js';

/** Changes read per page while a stream catches up. */
const PAGE = 500;
/** Notifications read per query from the user's outbox. */
const NOTES_PAGE = 100;

/**
 * The user's notification outbox, from where the stream started on (`from`: the newest one's number
 * then): the stream sends each later one as its `type` (`event: reminder`), without an `id`. They are
 * live only: a reconnect resumes the change feed from `Last-Event-ID`, not the notifications (Web
 * Push and webhooks are the channels that retry).
 */
export interface NotificationSource {
  from: number;
  after(user: string, seq: number, limit: number): Promise<OutboxEntry[]>;
}
/** A client this far behind in reading its stream is dropped (it reconnects with Last-Event-ID). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** The longest a timer may wait (setTimeout's limit); a later expiry ends the stream then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Why the server ends a stream on purpose: its bearer token expired, the token's key left the JWKS,
 * the JWKS went stale, the stream reached EVENTS_MAX_STREAM_S, or the instance is stopping. The
 * stream's last line is then the comment `: end <reason>`; the client reconnects (with a fresh token).
 */
export type EndReason = 'token-expired' | 'key-withdrawn' | 'keys-stale' | 'max-duration' | 'stopping';

/**
 * One open `text/event-stream` of one user's changes: the tasks of every list they can see, and those lists. It holds a sync token and, whenever it is told
 * that the user's tasks may have changed (`pull`), sends every change after that token, in order,
 * each as an event whose `id` is the token right after it: so a replay and the live changes are
 * one sequence, with no gap and no repeat, however the announcements arrive. Pulls never overlap:
 * one asked for during another runs right after it.
 */
export class EventStream {
  private pulling = false;
  private again = false;
  private ended = false;
  private expiry?: NodeJS.Timeout;

  constructor(
    private readonly sink: EventSink,
    readonly user: string,
    private token: string,
    private readonly feed: ChangesService,
    private readonly logger: Logger,
    private readonly onEnd: () => void,
    private readonly onLists: () => void = () => {},
    private readonly notes?: NotificationSource,
  ) {
    this.noteSeq = notes?.from ?? 0;
  }

  /** The number of the last notification sent (or skipped as older than the stream). */
  private noteSeq: number;

  /**
   * Sends the headers (and the client's reconnection delay) at once; the stream ends at `ends.at`
   * (ms) for `ends.reason`. A stream that starts from now (`announce`) first sends `event: ready`
   * with its token as `id`, so a client that reconnects before any change resumes from there, not
   * from a later now.
   */
  open(ends: { at: number; reason: EndReason }, announce: boolean): void {
    this.expiry = setTimeout(
      () => this.end(ends.reason),
      Math.min(MAX_TIMER_MS, Math.max(0, ends.at - Date.now())),
    );
    this.expiry.unref();
    this.sink.start();
    this.write('retry: 1000\n\n');
    if (announce) this.write(`id: ${this.token}\nevent: ready\ndata: {}\n\n`);
    this.sink.onClose(() => this.end());
  }

  /** Sends every change after the stream's token (again after this one when asked meanwhile). */
  async pull(): Promise<void> {
    if (this.ended) return;
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.again = false;
        for (let more = true; more && !this.ended;) {
          const page = await this.feed.page(this.user, this.token, PAGE, { primary: true });
          let lists = false;
          for (const change of page.changes) {
            this.write(
              `id: ${change.token}\nevent: ${eventOf(change)}\ndata: ${JSON.stringify(dataOf(change))}\n\n`,
            );
            lists ||= change.kind === 'list';
          }
          this.token = page.token;
          more = page.more;
          // Joined, left or removed: whose writes may concern this stream changed.
          if (lists) this.onLists();
          // Backpressure: the next page waits until the client has taken this one.
          if (this.sink.full && !this.ended) await this.sink.drained();
        }
        await this.sendNotifications();
      } while (this.again && !this.ended);
    } catch (err) {
      if (err instanceof SyncTokenExpiredError)
        this.write(`event: resync\ndata: ${JSON.stringify({ detail: err.message })}\n\n`);
      else if (!this.ended) this.logger.warn(`Event stream of ${this.user} ended: ${(err as Error).message}`);
      this.end();
    } finally {
      this.pulling = false;
    }
  }

  /** Sends the notifications of the user's outbox after the last one sent (see NotificationSource). */
  private async sendNotifications(): Promise<void> {
    if (!this.notes) return;
    for (let more = true; more && !this.ended;) {
      const entries = await this.notes.after(this.user, this.noteSeq, NOTES_PAGE);
      for (const { seq, notification } of entries) {
        this.write(`event: ${notification.type}\ndata: ${JSON.stringify(notification)}\n\n`);
        this.noteSeq = seq;
      }
      more = entries.length === NOTES_PAGE;
      if (this.sink.full && !this.ended) await this.sink.drained();
    }
  }

  /** Whether the stream has ended. */
  get over(): boolean {
    return this.ended;
  }

  /** A comment line: keeps proxies from closing an idle stream. */
  heartbeat(): void {
    this.write(': keep-alive\n\n');
  }

  /** Ends the stream gracefully; with a reason, it is the stream's last line (`: end <reason>`). */
  end(reason?: EndReason): void {
    if (this.ended) return;
    // (A client too far behind is dropped by this write instead.)
    if (reason) this.write(`: end ${reason}\n\n`);
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.expiry);
    this.sink.end();
    this.onEnd();
  }

  private write(text: string): void {
    if (this.ended) return;
    this.sink.write(text);
    if (this.sink.queued > MAX_BUFFERED_BYTES) {
      // Not a graceful end: what is queued for this client is dropped with the connection.
      this.sink.destroy();
      this.finish();
    }
  }
}

/** The event a change is: `task`, `task.deleted`, `list` or `list.deleted`. */
function eventOf(change: PageEntry): string {
  return `${change.kind}${'deleted' in change.entry ? '.deleted' : ''}`;
}

/** An event's data: the task or list, or `{ id }` of a deleted one. */
function dataOf(change: PageEntry): unknown {
  return 'deleted' in change.entry ? { id: change.entry.id } : change.entry;
}
