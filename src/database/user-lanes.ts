/** The error a read gets when it waited DB_CONNECT_TIMEOUT_MS behind its user's earlier reads (503). */
export class UserBusyError extends Error {
  readonly code = 'USER_BUSY';
  constructor() {
    super("timeout exceeded waiting for this user's earlier database reads");
    this.name = 'UserBusyError';
  }
}

interface Lane {
  running: number;
  waiting: Array<() => void>;
}

/**
 * At most `perUser` reads of one user run on the database at once (in this process); more wait, in
 * order, without holding a connection. One user's flood of expensive searches then occupies at
 * most `perUser` of the pool's connections and the rest serve everyone else. A read that waited
 * `maxWaitMs` gives up with UserBusyError (503, like a pool that has no free connection in time).
 * `perUser` 0: no bound.
 */
export class UserLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly perUser: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    if (this.perUser === 0) return work();
    let lane = this.lanes.get(user);
    if (!lane) this.lanes.set(user, (lane = { running: 0, waiting: [] }));
    if (lane.running < this.perUser) lane.running++;
    else await this.wait(lane);
    try {
      return await work();
    } finally {
      // Hand the slot to the next waiting read, or give it back.
      const next = lane.waiting.shift();
      if (next) next();
      else if (--lane.running === 0) this.lanes.delete(user);
    }
  }

  private wait(lane: Lane): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        lane.waiting.splice(lane.waiting.indexOf(waiter), 1);
        reject(new UserBusyError());
      }, this.maxWaitMs);
      lane.waiting.push(waiter);
    });
  }

  /** Users with reads running or waiting (for tests). */
  get size(): number {
    return this.lanes.size;
  }
}
