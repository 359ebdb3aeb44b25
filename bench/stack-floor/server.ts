// The floor's get on the fixed stack: `../shared/perf`'s raw floor (node:http + pg, HS256 with
// node:crypto, one named statement) rewritten as the smallest NestJS app on this project's
// ExpressHttpAdapter (the sources, run by tsx) — no middleware, guard, pipe, filter, log line or extra header of the app.
// What it serves faster than the app is the app's own work; what the floor serves faster than it
// is the price of NestJS + Express, which the project may not drop. Serves GET /api/tasks/{id},
// GET /api/tasks (the harness's readiness check: 50 of the caller's tasks) and /health/live.
// STACK_FLOOR_SQL=app: the get reads as the app does (its columns, the list-membership check).
// env: PORT, DATABASE_URL, BETTER_AUTH_SECRET, DB_POOL_MAX (10), STACK_FLOOR_SQL (floor).
import 'reflect-metadata';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Module,
  NotFoundException,
  Param,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { ExpressHttpAdapter } from '../../src/http/express-adapter.js';
import { memberSql } from '../../src/lists/roles.js';
import { TASK_COLUMNS } from '../../src/tasks/task.schema.js';

const SECRET = process.env.BETTER_AUTH_SECRET ?? '';
const SKEW = 60;
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
});
pool.on('error', () => {});
const FLOOR_COLS =
  'id, user_id, title, description, completed, priority, due_date, tags, created_at, updated_at, version, parent_id, position';
const GET =
  process.env.STACK_FLOOR_SQL === 'app'
    ? {
        name: 'get',
        text: `SELECT ${TASK_COLUMNS.join(', ')} FROM tasks WHERE id = $1 AND ${memberSql('tasks.list_id', '$2')}`,
      }
    : { name: 'get', text: `SELECT ${FLOOR_COLS} FROM tasks WHERE id = $1 AND user_id = $2` };
const LIST = {
  name: 'list',
  text: `SELECT ${FLOOR_COLS} FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50`,
};
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The raw floor's verifyBearer: the token's sub, or null. */
function verifyBearer(header: unknown): string | null {
  if (typeof header !== 'string' || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ')
    return null;
  const tok = header.slice(7).trim();
  const d1 = tok.indexOf('.');
  const d2 = tok.indexOf('.', d1 + 1);
  if (d1 <= 0 || d2 <= d1 || tok.indexOf('.', d2 + 1) !== -1) return null;
  let claims: { exp?: unknown; sub?: unknown } | null;
  try {
    const head = JSON.parse(Buffer.from(tok.slice(0, d1), 'base64url').toString()) as {
      alg?: unknown;
    } | null;
    if (!head || head.alg !== 'HS256') return null;
    const sig = Buffer.from(tok.slice(d2 + 1), 'base64url');
    const mac = createHmac('sha256', SECRET).update(tok.slice(0, d2)).digest();
    if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) return null;
    claims = JSON.parse(Buffer.from(tok.slice(d1 + 1, d2), 'base64url').toString()) as typeof claims;
  } catch {
    return null;
  }
  const now = Date.now() / 1000;
  if (!claims || typeof claims.exp !== 'number' || now > claims.exp + SKEW) return null;
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  return claims.sub;
}

function caller(req: IncomingMessage, res: ServerResponse): string {
  res.setHeader('X-Request-Id', randomUUID());
  const user = verifyBearer(req.headers.authorization);
  if (user === null) throw new UnauthorizedException();
  return user;
}

class Tasks {
  async list(req: IncomingMessage, res: ServerResponse): Promise<unknown[]> {
    return (await pool.query<Record<string, unknown>>({ ...LIST, values: [caller(req, res)] })).rows;
  }
  async get(id: string, req: IncomingMessage, res: ServerResponse) {
    const user = caller(req, res);
    if (!UUID_RE.test(id)) throw new NotFoundException();
    const [row] = (await pool.query<{ version: number }>({ ...GET, values: [id, user] })).rows;
    if (!row) throw new NotFoundException();
    res.setHeader('ETag', `W/"${row.version}"`);
    return row;
  }
  live() {
    return { status: 'ok' };
  }
}
const method = (name: keyof Tasks) => Object.getOwnPropertyDescriptor(Tasks.prototype, name);
Reflect.decorate([Get('api/tasks')], Tasks.prototype, 'list', method('list'));
Req()(Tasks.prototype, 'list', 0);
Res({ passthrough: true })(Tasks.prototype, 'list', 1);
Reflect.decorate([Get('api/tasks/:id')], Tasks.prototype, 'get', method('get'));
Param('id')(Tasks.prototype, 'get', 0);
Req()(Tasks.prototype, 'get', 1);
Res({ passthrough: true })(Tasks.prototype, 'get', 2);
Reflect.decorate([Get('health/live')], Tasks.prototype, 'live', method('live'));
Reflect.decorate([Controller()], Tasks);
class App {}
Reflect.decorate([Module({ controllers: [Tasks] })], App);

const app = await NestFactory.create<NestExpressApplication>(App, new ExpressHttpAdapter(), {
  logger: false,
  bodyParser: false,
});
app.set('etag', false).disable('x-powered-by');
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
