import { as, useTestApp } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';
import { TEST_VAPID } from './setup-env.js';

// Swagger UI's "Try it out" fills every parameter that has an example (or a default), and the
// request body from the schema's examples; Execute with those values must succeed on every
// operation. A required parameter without an example (a task id, the user id) is typed in by the
// person: here, a real one. A list (a GET with query parameters: filters, paging) pre-fills none, so
// that it answers the caller's own data, not the tasks matching made-up filters.
// With the run's VAPID keys (test/setup-env.ts), so that the Web Push routes are on.
const t = useTestApp();

type Schema = {
  $ref?: string;
  type?: string;
  example?: unknown;
  examples?: unknown;
  default?: unknown;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
};
type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
  examples?: unknown;
  schema?: Schema;
};
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: {
    content: Record<
      string,
      { schema: Schema; example?: unknown; examples?: Record<string, { value: unknown }> }
    >;
  };
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, unknown> }>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The body Swagger UI's sample generator writes: every property, its example, else its enum's first value or a type default. */
function sample(schema: Schema, doc: Document): unknown {
  if (schema.$ref) return sample(doc.components.schemas[schema.$ref.split('/').pop()!], doc);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s, doc)));
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  if (schema.properties)
    return Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, sample(s, doc)]));
  if (schema.type === 'array') return [sample(schema.items ?? { type: 'string' }, doc)];
  return { string: 'string', boolean: true, integer: 0, number: 0 }[schema.type ?? 'string'];
}

/** The body Swagger UI pre-fills: the media type's `example`, else its first of `examples`, else a sample of the schema. */
function bodyOf(
  media: { schema: Schema; example?: unknown; examples?: Record<string, { value: unknown }> },
  doc: Document,
): unknown {
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0];
  return first ? first.value : sample(media.schema, doc);
}

/** Opens an event stream on the app as `user`: its status (200 only with `text/event-stream`). */
async function openStream(
  path: string,
  user: string,
  headers: Record<string, string>,
): Promise<number | string> {
  const abort = new AbortController();
  const res = await fetch(`${await t.app.getUrl()}${path}`, {
    headers: { ...headers, Authorization: `Bearer ${tokenFor(user)}` },
    signal: abort.signal,
  });
  abort.abort();
  return res.headers.get('content-type')?.startsWith('text/event-stream')
    ? res.status
    : `${res.status} not a stream`;
}

/** The OpenAPI document the app serves at /docs-json (what Swagger UI reads). */
const served = async () => (await as(t.app).get('/docs-json')).body as Document;

it('pre-fills no query parameter of a GET route: no example, on the parameter or its schema', async () => {
  const doc = await served();
  const prefilled: string[] = [];
  let checked = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const p of item.get?.parameters ?? []) {
      if (p.in !== 'query') continue;
      checked++;
      const found = [p.example, p.examples, p.schema?.example, p.schema?.examples].filter(
        (e) => e !== undefined,
      );
      if (found.length) prefilled.push(`GET ${path} ?${p.name}=${JSON.stringify(found[0])}`);
    }
  }
  // GET /api/tasks and /api/{user_id}/tasks (11 each), /changes (2 each), /events (1 each).
  expect(checked).toBeGreaterThanOrEqual(28);
  expect(prefilled).toEqual([]);
});

it("every operation answers 2xx (or 304) with the pre-filled values, and every list the caller's task", async () => {
  await t.app.listen(0, '127.0.0.1');
  const user = newUser();
  const api = as(t.app, user);
  const doc = await served();
  const outcomes: string[] = [];
  const lists: string[] = [];
  // The task the person just made: every list they try must show it.
  const mine = (await api.post('/api/tasks').send({ title: 'made just before trying the lists' }).expect(201))
    .body.id as string;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const typedIn: Record<string, string> = { user_id: user };
      // The id a person types in: one of their lists or app passwords, or of their tasks (for skip, one that repeats: the route's
      // subject; for reminders, one with a due date), and a reminder of theirs on it.
      const typedInTask = path.endsWith('/skip')
        ? { title: 'typed-in id', due_date: new Date().toISOString(), recurrence: { rule: 'FREQ=DAILY' } }
        : path.includes('/reminders')
          ? { title: 'typed-in id', due_date: new Date(Date.now() + 86_400_000).toISOString() }
          : { title: 'typed-in id' };
      // A webhook's and a push subscription's: one of theirs (pointing nowhere a test may not send to).
      if (path.includes('{id}'))
        typedIn.id = (
          path.startsWith('/api/lists/')
            ? await api.post('/api/lists').send({ name: 'typed-in id' })
            : path.startsWith('/api/webhooks/')
              ? await api
                  .post('/api/webhooks')
                  .send({ url: 'http://127.0.0.1:9/typed-in', events: ['reminder.fired'] })
              : path.startsWith('/api/push-subscriptions/')
                ? await api.post('/api/push-subscriptions').send({
                    endpoint: 'http://127.0.0.1:9/typed-in',
                    keys: { p256dh: TEST_VAPID.publicKey, auth: 'AAAAAAAAAAAAAAAAAAAAAA' },
                  })
                : path.startsWith('/api/app-passwords/')
                  ? await api.post('/api/app-passwords').send({ name: 'typed-in id' })
                  : await api.post('/api/tasks').send(typedInTask)
        ).body.id;
      // Sharing: the member a person types in (someone who accepted their invitation, also into the
      // transfer's body), the id of one of their open invitations, and a token they were handed.
      let body: object | undefined;
      const invite = async (list: string) =>
        (await api.post(`/api/lists/${list}/invitations`).send({ role: 'editor' }).expect(201)).body as {
          id: string;
          token: string;
        };
      if (path.startsWith('/api/lists/{id}/members/') || path.endsWith('/transfer')) {
        const member = newUser('member');
        await as(t.app, member)
          .post(`/api/invitations/${(await invite(typedIn.id)).token}/accept`)
          .expect(200);
        typedIn.user_id = member;
        if (path.endsWith('/transfer')) body = { user_id: member };
      }
      if (path.includes('{invitation_id}')) typedIn.invitation_id = (await invite(typedIn.id)).id;
      if (path.includes('{token}')) {
        const list = (await api.post('/api/lists').send({ name: 'shared' }).expect(201)).body.id as string;
        typedIn.token = (await invite(list)).token;
      }
      if (path.includes('{reminder_id}'))
        typedIn.reminder_id = (
          await api.post(`/api/tasks/${typedIn.id}/reminders`).send({ before_minutes: 5 }).expect(201)
        ).body.id;
      let url = path;
      const query: Record<string, unknown> = {};
      const headers: Record<string, string> = {};
      for (const p of op.parameters ?? []) {
        const value = (p.example ??
          p.schema?.example ??
          p.schema?.default ??
          (p.required ? typedIn[p.name] : undefined)) as string | number | boolean | undefined;
        if (value === undefined) continue;
        if (p.in === 'path') url = url.replace(`{${p.name}}`, String(value));
        else if (p.in === 'query') query[p.name] = value;
        else if (p.in === 'header') headers[p.name] = String(value);
      }
      const json = op.requestBody?.content['application/json'];
      if (op.responses?.['200']?.content?.['text/event-stream']) {
        // A stream does not end: its status and type are the answer, then the page closes it.
        const search = new URLSearchParams(query as Record<string, string>).toString();
        const status = await openStream(`${url}?${search}`, user, headers);
        outcomes.push(`${op.operationId} ${method.toUpperCase()} ${url}: ${status}`);
        continue;
      }
      const request = (op.security ? api : as(t.app))
        [method as 'get' | 'post' | 'put' | 'patch' | 'delete'](url)
        .query(query)
        .set(headers);
      const res = json ? await request.send(body ?? (bodyOf(json, doc) as object)) : await request;
      outcomes.push(
        `${op.operationId} ${method.toUpperCase()} ${url}: ${res.status} ${res.body?.detail ?? ''}`.trim(),
      );
      // The listings of the caller's tasks (not a task's own occurrences or completions; stats take a
      // query too, but answer counts, not tasks).
      if (
        method === 'get' &&
        !path.includes('{id}') &&
        op.parameters?.some((p) => p.in === 'query') &&
        !path.endsWith('/stats')
      ) {
        const search = new URLSearchParams(query as Record<string, string>).toString();
        lists.push(`${url}?${search}: ${JSON.stringify(res.body).includes(mine) ? 'shows it' : 'misses it'}`);
      }
    }
  }
  expect(outcomes.length).toBeGreaterThan(15);
  expect(outcomes.filter((o) => !/: (2\d\d|304)$/.test(o))).toEqual([]);
  // GET /api/tasks and /api/tasks/changes, also under /api/{user_id}.
  expect(lists.length).toBeGreaterThanOrEqual(4);
  expect(lists.filter((l) => !l.endsWith('shows it'))).toEqual([]);
});
