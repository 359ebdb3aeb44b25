/** The error a statement gets when it waited `maxWaitMs` for a connection (503, like pg's own pool timeout). */
export class PoolBusyError extends Error {
  readonly code = 'POOL_BUSY';
  constructor() {
    super('timeout exceeded waiting for a database connection');
    this.name = 'PoolBusyError';
  }
}

/** The error a statement gets once the pool is closed (the process is stopping): 503, never a stack. */
export class PoolClosedError extends Error {
  readonly code = 'POOL_CLOSED';
  constructor() {
    super('the database pool is closed: the service is stopping');
    this.name = 'PoolClosedError';
  }
}

interface Waiter {
  grant: () => void;
  fail: (err: Error) => void;
}

interface Holder {
  /** Slots this key holds now. */
  running: number;
  /** Its waiters, first come first served. */
  waiting: Waiter[];
}

/**
 * The `capacity` slots of one connection pool, shared fairly between keys (users). A slot is
 * granted at once while one is free: nobody waits for fairness while connections are idle, and one
 * key alone may hold every slot. When none is free, waiters queue per key; a freed slot goes to the
 * waiting key that holds the fewest slots (ties: the one served least recently, round-robin). Under
 * contention every active key thus converges on an equal share, and a key above its share gets no
 * further slot while another waits: a user's burst (of moves queued on their own ordering lock, of
 * expensive searches) cannot take what others are waiting for.
 *
 * A waiter that waited `maxWaitMs` fails with PoolBusyError. `close()` fails every waiter and every
 * later `acquire` with PoolClosedError.
 */
export class FairShare {
  private readonly holders = new Map<string, Holder>();
  /** Keys with waiters, least recently served first. */
  private readonly turns: string[] = [];
  private running = 0;
  private closed = false;

  constructor(
    readonly capacity: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A slot for `key`: resolves when granted; `release(key)` once done with it. */
  acquire(key: string): Promise<void> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const holder = this.holder(key);
    if (this.running < this.capacity && this.turns.length === 0) {
      holder.running++;
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (err) => {
          clearTimeout(timer);
          this.leave(key, waiter);
          reject(err);
        },
      };
      const timer = setTimeout(() => waiter.fail(new PoolBusyError()), this.maxWaitMs);
      if (holder.waiting.push(waiter) === 1) this.turns.push(key);
    });
  }

  /** Gives `key`'s slot back: to the waiter whose turn it is, or free. */
  release(key: string): void {
    const holder = this.holders.get(key);
    if (!holder || holder.running === 0) throw new Error(`release of ${key}, which holds no slot`);
    holder.running--;
    this.running--;
    this.forget(key, holder);
    this.grantNext();
  }

  /** Fails every waiter and every later `acquire` with PoolClosedError; slots held are released as usual. */
  close(): void {
    this.closed = true;
    for (const key of [...this.turns]) {
      for (const waiter of [...(this.holders.get(key)?.waiting ?? [])]) waiter.fail(new PoolClosedError());
    }
  }

  /** Slots held now, and waiters, in all and by key (for tests and logs). */
  get state(): {
    running: number;
    waiting: number;
    byKey: Record<string, { running: number; waiting: number }>;
  } {
    const byKey: Record<string, { running: number; waiting: number }> = {};
    let waiting = 0;
    for (const [key, h] of this.holders) {
      byKey[key] = { running: h.running, waiting: h.waiting.length };
      waiting += h.waiting.length;
    }
    return { running: this.running, waiting, byKey };
  }

  private grantNext(): void {
    while (this.running < this.capacity && this.turns.length > 0) {
      // The waiting key holding the fewest slots; among equals, the first in turn order. None holds
      // fewer than none, so the first that holds none is the one (the usual case: many users, one
      // request each, and no walk of the whole queue per release).
      let best = 0;
      let fewest = this.holders.get(this.turns[0])!.running;
      for (let i = 1; i < this.turns.length && fewest > 0; i++) {
        const running = this.holders.get(this.turns[i])!.running;
        if (running < fewest) {
          best = i;
          fewest = running;
        }
      }
      const [key] = this.turns.splice(best, 1);
      const holder = this.holders.get(key)!;
      const waiter = holder.waiting.shift()!;
      // Still waiting: its next turn comes after everyone else's.
      if (holder.waiting.length > 0) this.turns.push(key);
      holder.running++;
      this.running++;
      waiter.grant();
    }
  }

  private holder(key: string): Holder {
    let holder = this.holders.get(key);
    if (!holder) this.holders.set(key, (holder = { running: 0, waiting: [] }));
    return holder;
  }

  /** A waiter that gave up (timeout, close) leaves its queue. */
  private leave(key: string, waiter: Waiter): void {
    const holder = this.holders.get(key);
    if (!holder) return;
    const at = holder.waiting.indexOf(waiter);
    if (at >= 0) holder.waiting.splice(at, 1);
    if (holder.waiting.length === 0) {
      const turn = this.turns.indexOf(key);
      if (turn >= 0) this.turns.splice(turn, 1);
    }
    this.forget(key, holder);
  }

  private forget(key: string, holder: Holder): void {
    if (holder.running === 0 && holder.waiting.length === 0) this.holders.delete(key);
  }
}
