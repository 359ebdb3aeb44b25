import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { corsFor, securityHeaders } from './response-headers.js';

const OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
  frameguard: { action: 'deny' },
};

function exchange(headers: Record<string, string> = {}): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/api/tasks';
  req.headers = headers;
  return { req, res: new ServerResponse(req) };
}

const run = (mw: (req: IncomingMessage, res: ServerResponse, next: () => void) => void, headers = {}) => {
  const { req, res } = exchange(headers);
  let nexted = false;
  mw(req, res, () => (nexted = true));
  return { headers: res.getHeaders(), nexted };
};

describe('securityHeaders', () => {
  it('sets exactly what helmet sets with the same options, on every response', () => {
    const fromHelmet = run(helmet(OPTIONS)).headers;
    const once = securityHeaders(OPTIONS);
    for (let i = 0; i < 2; i++) {
      const { headers, nexted } = run(once);
      expect(nexted).toBe(true);
      expect(headers).toEqual(fromHelmet);
    }
    expect(fromHelmet['x-frame-options']).toBe('DENY');
  });
});

describe('corsFor', () => {
  const cors = corsFor(['http://localhost:3000'], ['X-Total-Count']);

  it('answers a listed origin with credentials and the exposed headers', () => {
    const { headers, nexted } = run(cors, { origin: 'http://localhost:3000' });
    expect(nexted).toBe(true);
    expect(headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(headers['access-control-allow-credentials']).toBe('true');
    expect(headers['access-control-expose-headers']).toBe('X-Total-Count');
  });

  it.each([{}, { origin: 'http://evil.example' }])('gives %o no Access-Control-* header', (headers) => {
    const res = run(cors, headers);
    expect(res.nexted).toBe(true);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});
