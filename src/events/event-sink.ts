import { once } from 'node:events';
import type { Request, Response } from 'express';

/**
 * Where an event stream writes: the HTTP response, as the stream needs it (EventStream and
 * EventsService never see the HTTP framework's objects; the controller makes one with `expressSink`).
 */
export interface EventSink {
  /** Whether the client went away before the stream started. */
  readonly gone: boolean;
  /** Sends the status and the event-stream headers at once. */
  start(): void;
  write(text: string): void;
  /** Bytes written that the client has not taken yet. */
  readonly queued: number;
  /** Whether the writer should wait for `drained` before writing more. */
  readonly full: boolean;
  /** Resolves once the client took what is queued, or went away. */
  drained(): Promise<void>;
  onClose(listener: () => void): void;
  /** Ends the stream gracefully. */
  end(): void;
  /** Drops the connection and whatever is queued for it. */
  destroy(): void;
}

/** An EventSink over Express's request and response. */
export function expressSink(req: Request, res: Response): EventSink {
  return {
    get gone() {
      return req.destroyed;
    },
    start() {
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no'); // nginx: pass events through at once
      res.flushHeaders();
    },
    write: (text) => void res.write(text),
    get queued() {
      return res.writableLength;
    },
    get full() {
      return res.writableNeedDrain;
    },
    drained: async () => {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    },
    onClose: (listener) => void res.on('close', listener),
    end: () => void res.end(),
    destroy: () => void res.destroy(),
  };
}
