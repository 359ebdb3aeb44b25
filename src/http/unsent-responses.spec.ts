import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { UnsentResponses } from './unsent-responses.js';

// The warnings it logs are not what these tests look at.
Logger.overrideLogger(false);

const KiB = 1024;

/** A response with `writableLength` bytes waiting, on a connection of its own. */
class FakeResponse extends EventEmitter {
  destroyed = false;
  readonly req = { socket: { destroyed: false, destroy: () => void (this.req.socket.destroyed = true) } };
  constructor(public writableLength: number) {
    super();
  }
  get closed(): boolean {
    return this.req.socket.destroyed;
  }
}

function setUp(limits = { HTTP_RESPONSE_TIMEOUT_MS: 3000, HTTP_UNSENT_MAX_MB: 1 }) {
  const unsent = new UnsentResponses(limits);
  const server = Object.assign(new EventEmitter(), { listening: true });
  unsent.watch(server as unknown as Server);
  const note = (res: FakeResponse, added = res.writableLength) =>
    unsent.noted(res as unknown as ServerResponse, added);
  return { note, close: () => server.emit('close') };
}

describe('UnsentResponses', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('over HTTP_UNSENT_MAX_MB, closes the connections that waited longest until the rest fits', () => {
    const { note, close } = setUp();
    const [a, b, c, d] = [400, 400, 400, 300].map((k) => new FakeResponse(k * KiB));
    note(a);
    jest.advanceTimersByTime(10);
    note(b);
    expect([a.closed, b.closed]).toEqual([false, false]);
    jest.advanceTimersByTime(10);
    note(c);
    expect([a.closed, b.closed, c.closed]).toEqual([true, false, false]);
    // What was taken meanwhile is counted again before anything is closed.
    b.writableLength = 0;
    note(d);
    expect([b.closed, c.closed, d.closed]).toEqual([false, false, false]);
    close();
  });

  it('closes a connection whose bytes waited HTTP_RESPONSE_TIMEOUT_MS, not one whose queue emptied meanwhile', () => {
    const { note, close } = setUp();
    const stalled = new FakeResponse(10 * KiB);
    const taken = new FakeResponse(10 * KiB);
    const stream = new FakeResponse(10 * KiB);
    note(stalled);
    note(taken);
    note(stream);
    for (let s = 0; s < 10; s++) {
      jest.advanceTimersByTime(1000);
      if (s === 1) taken.writableLength = 0;
      // A stream whose client reads: its queue drains, then waits again with the next events.
      stream.emit('drain');
      note(stream, 100);
    }
    expect(stalled.closed).toBe(true);
    expect(taken.closed).toBe(false);
    expect(stream.closed).toBe(false);
    close();
  });

  it('forgets a response once it ended', () => {
    const { note, close } = setUp({ HTTP_RESPONSE_TIMEOUT_MS: 1000, HTTP_UNSENT_MAX_MB: 1 });
    const res = new FakeResponse(600 * KiB);
    note(res);
    res.emit('close');
    // Still "waiting" by its length, but gone: neither the budget nor the timeout touches another for it.
    const next = new FakeResponse(600 * KiB);
    note(next);
    jest.advanceTimersByTime(900);
    expect([res.closed, next.closed]).toEqual([false, false]);
    close();
  });
});
