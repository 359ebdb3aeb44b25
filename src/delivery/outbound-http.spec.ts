import { outcomeOf } from './outbound-http.js';

describe('outcomeOf', () => {
  const GONE = [404, 410];
  const kind = (status: number) => outcomeOf(status, undefined, GONE).kind;

  it('delivers a 2xx', () => {
    expect([200, 201, 202, 204, 299].map(kind)).toEqual(Array(5).fill('delivered'));
  });

  it("retries the receiver's timeout, too early, too many requests and 5xx, with their Retry-After", () => {
    expect([408, 425, 429, 500, 502, 503, 504].map(kind)).toEqual(Array(7).fill('retry'));
    expect(outcomeOf(429, '7', GONE, 0)).toEqual({
      kind: 'retry',
      status: 429,
      error: 'HTTP 429',
      retryAfterMs: 7000,
    });
  });

  it("gives up on the channel's gone statuses, redirects and other 4xx", () => {
    expect([404, 410].map(kind)).toEqual(['gone', 'gone']);
    expect([301, 302, 307, 400, 401, 403, 405, 413, 422].map(kind)).toEqual(Array(9).fill('failed'));
    expect(outcomeOf(302, undefined, GONE)).toEqual({
      kind: 'failed',
      status: 302,
      error: 'HTTP 302: redirects are not followed',
    });
  });
});
