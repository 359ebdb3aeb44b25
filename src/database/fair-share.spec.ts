import { FairShare, PoolBusyError, PoolClosedError } from './fair-share.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Acquires for `key` and records the grant in `log` (as `key`), returning the pending promise. */
function ask(share: FairShare, log: string[], key: string): Promise<void> {
  return share.acquire(key).then(() => void log.push(key));
}

describe('FairShare', () => {
  it('grants every slot to one key alone, at once', async () => {
    const share = new FairShare(4, 10_000);
    const log: string[] = [];
    await Promise.all([1, 2, 3, 4].map(() => ask(share, log, 'a')));
    expect(log).toEqual(['a', 'a', 'a', 'a']);
    expect(share.state.running).toBe(4);
  });

  it('never makes anyone wait while a slot is free', async () => {
    const share = new FairShare(3, 10_000);
    await share.acquire('a');
    await share.acquire('a');
    await share.acquire('b');
    expect(share.state).toMatchObject({ running: 3, waiting: 0 });
  });

  it('gives freed slots to the waiting key holding the fewest, until the shares are equal', async () => {
    const share = new FairShare(4, 10_000);
    const log: string[] = [];
    for (let i = 0; i < 4; i++) await share.acquire('a');
    // a floods: six more wait; then b asks for four.
    const waits = [
      ...Array.from({ length: 6 }, () => ask(share, log, 'a')),
      ...Array.from({ length: 4 }, () => ask(share, log, 'b')),
    ];
    await tick();
    expect(log).toEqual([]);
    // a's running statements finish one by one: b gets the first two (0 < 3, 1 < 2), then turns alternate.
    share.release('a');
    share.release('a');
    await tick();
    expect(log).toEqual(['b', 'b']);
    expect(share.state.byKey).toEqual({ a: { running: 2, waiting: 6 }, b: { running: 2, waiting: 2 } });
    share.release('a');
    share.release('b');
    await tick();
    expect(log.slice(2).sort()).toEqual(['a', 'b']);
    expect(share.state.byKey.a.running).toBe(2);
    expect(share.state.byKey.b.running).toBe(2);
    // Drain everything.
    for (let i = 0; i < 20 && share.state.running > 0; i++) {
      const [key] = Object.entries(share.state.byKey).find(([, s]) => s.running > 0)!;
      share.release(key);
      await tick();
    }
    await Promise.all(waits);
    expect(log.filter((k) => k === 'a')).toHaveLength(6);
    expect(log.filter((k) => k === 'b')).toHaveLength(4);
  });

  it('serves equal holders round-robin, each key in its own arrival order', async () => {
    const share = new FairShare(1, 10_000);
    const order: string[] = [];
    await share.acquire('x');
    const waits = [
      share.acquire('a').then(() => order.push('a1')),
      share.acquire('a').then(() => order.push('a2')),
      share.acquire('a').then(() => order.push('a3')),
      share.acquire('b').then(() => order.push('b1')),
      share.acquire('c').then(() => order.push('c1')),
      share.acquire('b').then(() => order.push('b2')),
    ];
    let holder = 'x';
    for (const next of ['a', 'b', 'c', 'a', 'b', 'a']) {
      share.release(holder);
      await tick();
      holder = next;
    }
    share.release(holder);
    await Promise.all(waits);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(share.state).toEqual({ running: 0, waiting: 0, byKey: {} });
  });

  it('bounds a key above its share: no further slot while another key waits', async () => {
    const share = new FairShare(2, 10_000);
    const log: string[] = [];
    await share.acquire('a');
    await share.acquire('a');
    const waits = [ask(share, log, 'a'), ask(share, log, 'a'), ask(share, log, 'b')];
    share.release('a');
    await tick();
    expect(log).toEqual(['b']);
    share.release('a');
    share.release('b');
    await tick();
    share.release('a');
    share.release('a');
    await Promise.all(waits);
    expect(log).toEqual(['b', 'a', 'a']);
  });

  it('fails a waiter after maxWaitMs with PoolBusyError; the queue goes on without it', async () => {
    const share = new FairShare(1, 20);
    await share.acquire('a');
    await expect(share.acquire('b')).rejects.toBeInstanceOf(PoolBusyError);
    expect(share.state.byKey).toEqual({ a: { running: 1, waiting: 0 } });
    const next = share.acquire('c');
    share.release('a');
    await next;
    share.release('c');
    expect(share.state).toEqual({ running: 0, waiting: 0, byKey: {} });
  });

  it('after close, fails waiters and new requests with PoolClosedError; held slots are released as usual', async () => {
    const share = new FairShare(1, 10_000);
    await share.acquire('a');
    const waiting = share.acquire('b');
    share.close();
    await expect(waiting).rejects.toBeInstanceOf(PoolClosedError);
    await expect(share.acquire('a')).rejects.toBeInstanceOf(PoolClosedError);
    share.release('a');
    expect(share.state).toEqual({ running: 0, waiting: 0, byKey: {} });
  });

  it('refuses a release of a key that holds nothing', () => {
    expect(() => new FairShare(1, 10).release('a')).toThrow(/holds no slot/);
  });
});
