import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { countsAheadOfRouting, PerIpLimit } from './per-ip.js';
import { RateLimitCost, requestsIn } from './rate-limit-cost.decorator.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import type { RateLimiter } from './rate-limiter.js';

class Routes {
  plain() {}

  @RateLimitCost({ perItemOf: 'commands', max: 100 })
  batch() {}
}

/** A request as RateLimitGuard sees it after JwtAuthGuard. */
interface Seen {
  path?: string;
  authorization?: string;
  user?: string;
  failed?: boolean;
  body?: unknown;
}

function setup() {
  const consumeUser = jest.fn<RateLimiter['consumeUser']>(() => Promise.resolve());
  const consumeIp = jest.fn<RateLimiter['consumeIp']>(() => Promise.resolve());
  const limiter = { limitsUsers: true, consumeUser, consumeIp } as unknown as RateLimiter;
  const guard = new RateLimitGuard(limiter, new PerIpLimit(limiter), new Reflector());
  const check = async (route: 'plain' | 'batch', seen: Seen) => {
    const req = {
      path: seen.path ?? '/api/tasks',
      ip: '203.0.113.7',
      headers: seen.authorization === undefined ? {} : { authorization: seen.authorization },
      user: seen.user === undefined ? undefined : { sub: seen.user },
      authFailure: seen.failed ? new Error('invalid') : undefined,
      body: seen.body,
    };
    const context = {
      switchToHttp: () => ({ getRequest: () => req }),
      getHandler: () => Routes.prototype[route],
      getClass: () => Routes,
    } as unknown as ExecutionContext;
    expect(await guard.canActivate(context)).toBe(true);
  };
  return { consumeUser, consumeIp, check };
}

const commands = (n: number) => ({ commands: Array.from({ length: n }, () => ({ op: 'create' })) });

describe('RateLimitGuard', () => {
  it('counts a request with a user once against that user', async () => {
    const { consumeUser, consumeIp, check } = setup();
    await check('plain', { authorization: 'Bearer t', user: 'alice', body: commands(5) });
    expect(consumeUser.mock.calls).toEqual([['alice', 1]]);
    expect(consumeIp).not.toHaveBeenCalled();
  });

  it('counts a @RateLimitCost route’s request as its items, at least one, at most the route’s maximum', async () => {
    const { consumeUser, check } = setup();
    for (const body of [
      commands(7),
      commands(1),
      commands(0),
      commands(250),
      { commands: 'x' },
      {},
      undefined,
    ])
      await check('batch', { authorization: 'Bearer t', user: 'bob', body });
    expect(consumeUser.mock.calls.map(([, points]) => points)).toEqual([7, 1, 1, 100, 1, 1, 1]);
  });

  it('counts a request whose token failed against its address; one without a token was counted ahead', async () => {
    const { consumeUser, consumeIp, check } = setup();
    await check('plain', { authorization: 'Bearer junk', failed: true });
    await check('plain', { failed: true });
    expect(consumeIp.mock.calls).toEqual([['203.0.113.7']]);
    expect(consumeUser).not.toHaveBeenCalled();
  });

  it('counts nothing on a public route (no user, no failure)', async () => {
    const { consumeUser, consumeIp, check } = setup();
    await check('plain', { path: '/health/live', authorization: 'Bearer t' });
    expect(consumeUser).not.toHaveBeenCalled();
    expect(consumeIp).not.toHaveBeenCalled();
  });
});

describe('which layer counts a request per IP', () => {
  const req = (path: string, authorization?: string) =>
    ({ path, headers: authorization === undefined ? {} : { authorization } }) as Request;

  it('ahead of routing: no Authorization header, or the docs whatever the header; never health', () => {
    expect(countsAheadOfRouting(req('/api/tasks'))).toBe(true);
    expect(countsAheadOfRouting(req('/nope'))).toBe(true);
    expect(countsAheadOfRouting(req('/api/tasks', 'Bearer x'))).toBe(false);
    expect(countsAheadOfRouting(req('/api/tasks', ''))).toBe(false);
    for (const docs of ['/docs', '/docs/', '/docs/swagger-ui.css', '/docs-json', '/docs-yaml'])
      expect(countsAheadOfRouting(req(docs, 'Bearer x'))).toBe(true);
    expect(countsAheadOfRouting(req('/docsx', 'Bearer x'))).toBe(false);
    expect(countsAheadOfRouting(req('/health/live'))).toBe(false);
    expect(countsAheadOfRouting(req('/health/ready', 'Bearer x'))).toBe(false);
  });

  it('the not-found handler counts exactly the unrouted requests not counted ahead', async () => {
    const consumeIp = jest.fn<RateLimiter['consumeIp']>(() => Promise.resolve());
    const perIp = new PerIpLimit({ consumeIp } as unknown as RateLimiter);
    const through = (r: Request) =>
      new Promise<void>((resolve) => perIp.unrouted(r, {} as never, () => resolve()));
    for (const r of [
      req('/nope'),
      req('/nope', 'Bearer junk'),
      req('/health/nope'),
      req('/docs/x', 'Bearer x'),
    ])
      await through(r);
    expect(consumeIp).toHaveBeenCalledTimes(2);
  });
});

describe('requestsIn', () => {
  it('is one without options or without the array', () => {
    expect(requestsIn(undefined, commands(3))).toBe(1);
    expect(requestsIn({ perItemOf: 'commands', max: 100 }, null)).toBe(1);
    expect(requestsIn({ perItemOf: 'commands', max: 100 }, [1, 2])).toBe(1);
  });
});
