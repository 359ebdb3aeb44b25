import { jest } from '@jest/globals';
import { BadRequestException, Logger, type ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { PoolClosedError } from '../database/fair-share.js';
import { ProblemException, ValidationProblem } from './problem.exception.js';
import { ProblemFilter } from './problem.filter.js';

/** Renders `err` through the filter with a fake request and response; what was sent. */
function render(err: unknown) {
  const headers: Record<string, string> = {};
  const sent: { status?: number; type?: string; body?: string } = {};
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    type(t: string) {
      sent.type = t;
      return this;
    },
    send(body: string) {
      sent.body = body;
      return this;
    },
  };
  const req = { headers: { 'x-request-id': 'req-1' }, originalUrl: '/api/tasks/x?y=1', url: '/api/tasks/x' };
  const host = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new ProblemFilter().catch(err, host);
  return { status: sent.status, type: sent.type, headers, body: JSON.parse(sent.body ?? 'null') };
}

describe('ProblemFilter', () => {
  let logged: jest.SpiedFunction<Logger['error']>;
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it('renders a ProblemException with its headers as problem+json', () => {
    const out = render(new ProblemException(412, 'stale', { headers: { ETag: '"4"' } }));
    expect(out).toMatchObject({ status: 412, type: 'application/problem+json', headers: { etag: '"4"' } });
    expect(out.body).toEqual({
      type: 'about:blank',
      title: 'Precondition Failed',
      status: 412,
      detail: 'stale',
      instance: '/api/tasks/x',
      request_id: 'req-1',
    });
  });

  it('lists every bad field of a validation problem', () => {
    const out = render(new ValidationProblem([{ field: 'title', message: 'must be a string' }]));
    expect(out.body).toMatchObject({
      status: 400,
      detail: 'Validation failed: title',
      errors: [{ field: 'title' }],
    });
  });

  it('keeps the message of Nest’s own HTTP exceptions', () => {
    expect(render(new BadRequestException(['a', 'b'])).body).toMatchObject({ status: 400, detail: 'a; b' });
  });

  it('answers an unexpected error with a generic 500 that says nothing of it, and logs it', () => {
    const out = render(new Error('secret internals at /srv/app.js:1'));
    expect(out.status).toBe(500);
    expect(out.body.detail).toBe('An unexpected error occurred; quote request id req-1 when reporting it');
    expect(JSON.stringify(out.body)).not.toContain('secret');
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('answers a database refusal of bad input with 400, without the SQL', () => {
    const err = new QueryFailedError(
      'INSERT INTO tasks …',
      [],
      Object.assign(new Error('value too long'), { code: '22001' }),
    );
    const out = render(err);
    expect(out.body).toMatchObject({ status: 400, detail: 'A value in the request cannot be stored' });
    expect(JSON.stringify(out.body)).not.toContain('INSERT');
  });

  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    new Error('server conn crashed?'),
    Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
  ])('answers an unreachable database (%s) with 503 and Retry-After', (err) => {
    const out = render(err);
    expect(out.status).toBe(503);
    expect(out.headers['retry-after']).toBe('5');
  });

  it('answers a statement after the pool closed (the process stops) with 503, logged as a warning line without a stack', () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const out = render(new PoolClosedError());
      expect(out.status).toBe(503);
      expect(out.headers['retry-after']).toBe('5');
      expect(logged).not.toHaveBeenCalled();
      expect(warned).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(warned.mock.calls[0])).not.toMatch(/stack|\bat /);
    } finally {
      warned.mockRestore();
    }
  });
});
