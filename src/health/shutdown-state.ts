import { Injectable } from '@nestjs/common';

/**
 * Whether the process is stopping (SIGTERM/SIGINT received). While it is, readiness is 503 so
 * load balancers stop sending traffic, and every response says `Connection: close` so
 * keep-alive clients move to another instance. What must end at once when it starts (live event
 * streams, which would otherwise hold the graceful stop for its whole grace period) registers
 * with `onStop`.
 */
@Injectable()
export class ShutdownState {
  stopping = false;
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` when stopping begins; returns what unregisters it. */
  onStop(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stopping begins: readiness turns 503 and every `onStop` listener runs, once. */
  begin(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}
