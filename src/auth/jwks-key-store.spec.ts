import { jest } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { JwksKeyStore } from './jwks-key-store.js';

const options = {
  timeoutMs: 1000,
  refetchIntervalMs: 100,
  unknownKidMs: 1000,
  refreshMs: 60_000,
  maxStaleMs: 2000,
};

describe('JwksKeyStore staleness', () => {
  let jwks: string;
  beforeAll(async () => {
    const { publicKey } = await generateKeyPair('EdDSA');
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
  });
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(() =>
        Promise.resolve(new Response(jwks, { headers: { 'content-type': 'application/json' } })),
      );
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('tells its listeners when the keys turn stale, also when the timer fires before Date.now() says so', async () => {
    const store = new JwksKeyStore(new URL('http://127.0.0.1:1/jwks'), options);
    await store.refresh();
    expect(store.kids).toEqual(new Set(['k1']));
    let heard = 0;
    store.onChange(() => heard++);
    // Node starts a timer from the event loop's cached clock, which can lag Date.now() by a busy
    // loop's turn: here the wall clock says 5 ms less than the timer's schedule.
    jest.setSystemTime(Date.now() - 5);
    jest.advanceTimersByTime(options.maxStaleMs + 1);
    expect(store.stale()).toBe(false);
    expect(heard).toBe(0);
    jest.advanceTimersByTime(5);
    expect(store.stale()).toBe(true);
    expect(heard).toBe(1);
    store.onModuleDestroy();
  });

  it('says nothing once a good fetch came before the keys turned stale', async () => {
    const store = new JwksKeyStore(new URL('http://127.0.0.1:1/jwks'), options);
    await store.refresh();
    jest.advanceTimersByTime(options.maxStaleMs - 500);
    await store.refresh();
    let heard = 0;
    store.onChange(() => heard++);
    jest.advanceTimersByTime(600);
    expect(store.stale()).toBe(false);
    expect(heard).toBe(0);
    jest.advanceTimersByTime(options.maxStaleMs);
    expect(heard).toBe(1);
    store.onModuleDestroy();
  });
});
