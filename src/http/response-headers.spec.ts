import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { isDocsPath } from '../docs/swagger.js';
import { API_HEADERS, corsFor, PAGE_HEADERS, securityHeaders } from './response-headers.js';

function exchange(
  headers: Record<string, string> = {},
  url = '/api/tasks',
): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = url;
  req.headers = headers;
  return { req, res: new ServerResponse(req) };
}

const run = (
  mw: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
  headers = {},
  url = '/api/tasks',
) => {
  const { req, res } = exchange(headers, url);
  let nexted = false;
  mw(req, res, () => (nexted = true));
  return { headers: res.getHeaders(), nexted };
};

describe('securityHeaders', () => {
  const once = securityHeaders(isDocsPath, PAGE_HEADERS, API_HEADERS);

  it.each([
    ['/docs', PAGE_HEADERS],
    ['/docs/', PAGE_HEADERS],
    ['/DOCS/swagger-ui.css', PAGE_HEADERS],
    ['/docs-json', PAGE_HEADERS],
    ['/docs?urls.primaryName=x', PAGE_HEADERS],
    ['/api/tasks', API_HEADERS],
    ['/documents', API_HEADERS],
    ['/dav/docs', API_HEADERS],
  ] as const)('sets exactly what helmet sets with the same options on %s, every time', (url, options) => {
    const fromHelmet = run(helmet(options), {}, url).headers;
    for (let i = 0; i < 2; i++) {
      const { headers, nexted } = run(once, {}, url);
      expect(nexted).toBe(true);
      expect(headers).toEqual(fromHelmet);
    }
  });

  it("gives the API's answers the REST set and none of the document-only headers", () => {
    const { headers } = run(once);
    expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
    for (const page of [
      'cross-origin-opener-policy',
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-xss-protection',
    ])
      expect(headers[page]).toBeUndefined();
    expect(run(once, {}, '/docs').headers['cross-origin-opener-policy']).toBe('same-origin');
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
