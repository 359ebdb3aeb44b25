import { UserBusyError, UserLanes } from './user-lanes.js';

/** A piece of work that runs until `finish` is called, recording when it started. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => (log.push(name), done.then(() => name)), finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('UserLanes', () => {
  it("runs at most perUser of one user's reads at once, the others in arrival order", async () => {
    const lanes = new UserLanes(2, 10_000);
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const runs = gates.map((g) => lanes.run('u1', g.work));
    await tick();
    expect(log).toEqual(['a', 'b']);
    gates[1].finish();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
    gates[0].finish();
    gates[2].finish();
    await tick();
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    gates[3].finish();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect(lanes.size).toBe(0);
  });

  it('never makes one user wait for another', async () => {
    const lanes = new UserLanes(1, 10_000);
    const log: string[] = [];
    const busy = gate(log, 'u1');
    const first = lanes.run('u1', busy.work);
    await lanes.run('u2', () => Promise.resolve(log.push('u2')));
    expect(log).toEqual(['u1', 'u2']);
    busy.finish();
    await first;
  });

  it('gives the slot back when a read fails', async () => {
    const lanes = new UserLanes(1, 10_000);
    await expect(lanes.run('u1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lanes.run('u1', () => Promise.resolve('next'))).toBe('next');
    expect(lanes.size).toBe(0);
  });

  it('fails a read that waited maxWaitMs with UserBusyError, and the queue goes on without it', async () => {
    const lanes = new UserLanes(1, 20);
    const log: string[] = [];
    const busy = gate(log, 'a');
    const first = lanes.run('u1', busy.work);
    await expect(lanes.run('u1', () => Promise.resolve('late'))).rejects.toBeInstanceOf(UserBusyError);
    const after = lanes.run('u1', () => Promise.resolve('after'));
    busy.finish();
    expect(await Promise.all([first, after])).toEqual(['a', 'after']);
    expect(lanes.size).toBe(0);
  });

  it('0 means no bound', async () => {
    const lanes = new UserLanes(0, 10);
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((n) => gate(log, n));
    const runs = gates.map((g) => lanes.run('u1', g.work));
    expect(log).toEqual(['a', 'b', 'c']);
    gates.forEach((g) => g.finish());
    await Promise.all(runs);
  });
});
