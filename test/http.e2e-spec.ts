import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { load } from 'js-yaml';
import request from 'supertest';
import { as, createTestApp, useTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();

const server = () => request(t.app.getHttpServer());

describe('X-Request-Id', () => {
  it("echoes the client's id when it is safe", async () => {
    const res = await server().get('/health/live').set('X-Request-Id', 'client-123.abc:XYZ_9');
    expect(res.headers['x-request-id']).toBe('client-123.abc:XYZ_9');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with unsafe characters', 'abc def<script>'],
    ['empty', ''],
  ])('replaces one that is %s', async (_, id) => {
    const res = await server().get('/health/live').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is on every response: Swagger UI and its assets, the OpenAPI JSON, CORS preflights', async () => {
    for (const res of [
      await server().get('/docs'),
      await server().get('/docs-json'),
      await server()
        .options('/api/tasks')
        .set('Origin', 'http://localhost:3000')
        .set('Access-Control-Request-Method', 'POST'),
    ]) {
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is generated when absent, on success and error alike, and matches the problem body', async () => {
    const ok = await server().get('/health/live');
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const err = await server().get('/api/tasks').set('X-Request-Id', 'trace-me');
    expectProblem(err, 401);
    expect(err.body.request_id).toBe('trace-me');
  });
});

describe('security headers', () => {
  it.each(['/health/live', '/api/tasks', '/docs', '/nope'])('are on %s', async (path) => {
    const res = await server().get(path);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it("keep helmet's document headers for the explorer's pages only", async () => {
    for (const path of ['/docs', '/DOCS/']) {
      const page = await server().get(path);
      expect(page.status).toBe(200);
      expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const api = await server().get('/api/tasks');
    expect(api.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(api.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('CORS', () => {
  it('answers the configured origin, with credentials and exposed headers', async () => {
    const res = await server()
      .options('/api/tasks')
      .set('Origin', 'http://localhost:3000')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const get = await server().get('/health/live').set('Origin', 'http://localhost:3000');
    expect(get.headers['access-control-expose-headers']).toContain('X-Total-Count');
  });

  it('gives another origin no Access-Control-* header at all, on preflights and simple requests', async () => {
    const cors = (res: { headers: Record<string, string> }) =>
      Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
    const preflight = await server()
      .options('/api/tasks')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(cors(preflight)).toEqual([]);
    for (const path of ['/health/live', '/api/tasks']) {
      const res = await server().get(path).set('Origin', 'https://evil.example');
      expect(cors(res)).toEqual([]);
    }
    // A look-alike of the allowed origin is another origin.
    const alike = await server().get('/health/live').set('Origin', 'http://localhost:3000.evil.example');
    expect(cors(alike)).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('is served rendered once, as JSON and as YAML, with an ETag that answers 304', async () => {
    const json = await server().get('/docs-json');
    const yaml = await server().get('/docs-yaml');
    expect(json.status).toBe(200);
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/^text\/yaml/);
    expect(load(yaml.text)).toEqual(json.body);
    for (const res of [json, yaml]) {
      expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
      const path = res === json ? '/docs-json' : '/docs-yaml';
      const again = await server().get(path).set('If-None-Match', res.headers.etag);
      expect(again.status).toBe(304);
      expect((await server().get(path)).text).toBe(res.text); // the same bytes every time
    }
  });
});

describe('health', () => {
  it('live and ready answer without a token', async () => {
    expect((await server().get('/health/live')).status).toBe(200);
    const ready = await server().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
  });
});

describe('errors', () => {
  it('an unknown route is a problem+json 404', async () => {
    expectProblem(await server().get('/nope'), 404);
    expectProblem(await as(t.app, newUser()).get('/api/nope'), 404);
  });

  it('an unsupported method on a known path is a problem+json 404', async () => {
    expectProblem(await as(t.app, newUser()).patch('/api/tasks'), 404);
  });
});

describe('OpenAPI', () => {
  it('serves the Swagger UI and a document describing every route, body and error', async () => {
    const ui = await server().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = (await server().get('/docs-json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/tasks',
        '/api/tasks/{id}',
        '/api/tasks/{id}/complete',
        '/api/tasks/stats',
        '/api/me',
        '/api/{user_id}/tasks',
        '/api/{user_id}/tasks/{id}',
        '/health/live',
        '/health/ready',
      ]),
    );
    const create = doc.paths['/api/tasks'].post;
    expect(create.summary).toBe('Create a task');
    expect(create.responses['201'].headers.ETag).toBeDefined();
    expect(create.responses['400'].content['application/problem+json']).toBeDefined();
    expect(create.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CreateTaskDto',
    );
    const props = doc.components.schemas.CreateTaskDto.properties;
    expect(props.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(props.priority.enum).toEqual(['low', 'medium', 'high']);
    expect(doc.components.schemas.CreateTaskDto.required).toEqual(['title']);
    expect(doc.components.schemas.Task.properties.version.description).toMatch(/ETag/);
    expect(doc.components.schemas.ProblemDto.properties.request_id).toBeDefined();
  });

  it('declares exactly the path parameters of each path, and unique operation ids', async () => {
    const doc = (await server().get('/docs-json')).body;
    const ids: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const template = [...path.matchAll(/{(\w+)}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(ops)) {
        const declared = (op.parameters ?? [])
          .filter((p: any) => p.in === 'path')
          .map((p: any) => p.name)
          .sort();
        expect(`${path}: ${declared.join(',')}`).toBe(`${path}: ${template.join(',')}`);
        ids.push(op.operationId);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['Tasks_list', 'UserTasks_list', 'Me_me', 'Health_ready']));
  });
});

describe('slow clients', () => {
  // An app of its own, listening on a port, with short limits.
  let app: NestExpressApplication;
  let port: number;
  beforeAll(async () => {
    app = await createTestApp({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '3000' });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app?.close());

  /** Sends `atOnce`, then `slowly` one byte a second; when the server closed, and what it said. */
  function dribble(atOnce: string, slowly: string): Promise<{ closedAfterMs: number; answer: string }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(atOnce));
      let answer = '';
      const bytes = [...slowly];
      const timer = setInterval(() => {
        const next = bytes.shift();
        if (next !== undefined && !socket.destroyed) socket.write(next);
      }, 1000);
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ closedAfterMs: Date.now() - started, answer });
      });
    });
  }

  it('closes a connection whose headers arrive one byte a second, within HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { closedAfterMs, answer } = await dribble(
      '',
      'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n',
    );
    // The limit, plus at most one check interval (1 s), plus slack.
    expect(closedAfterMs).toBeGreaterThanOrEqual(1900);
    expect(closedAfterMs).toBeLessThan(4500);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('closes a connection whose body arrives one byte a second, within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const head =
      'POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const { closedAfterMs, answer } = await dribble(head, '{'.repeat(100));
    expect(closedAfterMs).toBeGreaterThanOrEqual(2900);
    expect(closedAfterMs).toBeLessThan(5500);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);
});
