import { retrying } from './retrying.js';

describe('retrying', () => {
  const failing = (errors: Error[], value = 'done') => {
    let calls = 0;
    const run = () => {
      calls++;
      const err = errors.shift();
      return err ? Promise.reject(err) : Promise.resolve(value);
    };
    return { run, calls: () => calls };
  };
  const retryable = (err: unknown) => (err as Error).message === 'again';

  it('runs again while the error is retryable, and answers the first success', async () => {
    const f = failing([new Error('again'), new Error('again')]);
    await expect(retrying(4, retryable, f.run)).resolves.toBe('done');
    expect(f.calls()).toBe(3);
  });

  it('gives up after `attempts` runs in all, with the last error', async () => {
    const f = failing([new Error('again'), new Error('again'), new Error('again')]);
    await expect(retrying(2, retryable, f.run)).rejects.toThrow('again');
    expect(f.calls()).toBe(2);
  });

  it('throws any other error at once', async () => {
    const f = failing([new Error('broken'), new Error('again')]);
    await expect(retrying(4, retryable, f.run)).rejects.toThrow('broken');
    expect(f.calls()).toBe(1);
  });
});
