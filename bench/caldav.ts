// npm run bench:caldav — what a CalDAV client's sync costs in one list of TASKS (1 000) tasks (#32
// item 4: a sync-collection after one change answers in p95 < 50 ms). Builds, starts the built
// server in production mode on DATABASE_URL (a new user each run, nothing is deleted) or a
// throw-away embedded PostgreSQL, and makes one user with an app password and one list: every other
// task written by a client (PUT of a VTODO with its own X- properties and a VALARM, so its stored
// text is kept), the rest through POST /api/tasks/batch. Then ROUNDS (300) rounds of one REST change
// (PATCH of a task's title) followed by two REPORT sync-collection, each from the token its previous
// round got: one asking only DAV:getetag (DAVx⁵, Apple, vdirsyncer), one also asking calendar-data
// (tsdav's smartCollectionSync, python caldav); each must answer the one changed task. Then, for
// context, RUNS (100) times each: PROPFIND Depth 1 of the list (getetag, as a client lists it), a
// calendar-multiget of 50 tasks, a calendar-query of all VTODOs (getetag). One request at a time;
// the time is the client's, from sending to the last byte. Prints n, p50, p95, p99 and max in ms.
import { performance } from 'node:perf_hooks';
import { benchDatabase, startServer, summarise, tokenFor } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 300);
const RUNS = Number(process.env.RUNS ?? 100);
const WARMUP = 20;
const MULTIGET = 50;
const USER = `bench-caldav-${Date.now()}`;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The text of every element named `name` (any prefix) in an XML answer. */
const texts = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`, 'g'))].map((m) =>
    unescapeXml(m[1]),
  );

const XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>';
const NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"';
const syncBody = (token: string, props: string) =>
  `${XML_HEAD}<d:sync-collection ${NS}><d:sync-token>${escapeXml(token)}</d:sync-token><d:sync-level>1</d:sync-level><d:prop>${props}</d:prop></d:sync-collection>`;
const multigetBody = (hrefs: string[]) =>
  `${XML_HEAD}<c:calendar-multiget ${NS}><d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs.map((h) => `<d:href>${escapeXml(h)}</d:href>`).join('')}</c:calendar-multiget>`;
const QUERY_BODY = `${XML_HEAD}<c:calendar-query ${NS}><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter></c:filter></c:calendar-query>`;
const PROPFIND_BODY = `${XML_HEAD}<d:propfind ${NS}><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>`;
const TOKEN_BODY = `${XML_HEAD}<d:propfind ${NS}><d:prop><d:sync-token/></d:prop></d:propfind>`;

/** A client's VTODO: what we map and what only it knows. */
const clientTodo = (uid: string, n: number) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//bench//caldav//EN',
    'BEGIN:VTODO',
    `UID:${uid}`,
    'DTSTAMP:20261206T120000Z',
    `SUMMARY:Client task ${n}`,
    `PRIORITY:${1 + (n % 9)}`,
    'CATEGORIES:Home',
    `DUE;TZID=Europe/Berlin:202612${String(10 + (n % 18)).padStart(2, '0')}T090000`,
    `X-BENCH-CLIENT:${n}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'DESCRIPTION:Reminder',
    'TRIGGER:-PT15M',
    'END:VALARM',
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const db = await benchDatabase();
const server = await startServer(db.url); // migrates the database
try {
  const bearer = {
    Authorization: `Bearer ${tokenFor(server.secret, USER)}`,
    'Content-Type': 'application/json',
  };
  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: bearer,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const { password } = (await rest('POST', '/api/app-passwords', { name: 'bench' })) as { password: string };
  const basic = `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`;
  /** A DAV request; its status and text, timed from sending to the last byte. */
  const dav = async (method: string, path: string, body: string, headers: Record<string, string> = {}) => {
    const t0 = performance.now();
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: basic, 'Content-Type': 'application/xml; charset=utf-8', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0 };
  };
  const expectStatus = (r: { status: number; text: string }, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 500)}`);
  };

  // Seed: one list, half its tasks from a client (stored text kept), half through REST.
  const started = performance.now();
  const list = (await rest('POST', '/api/lists', { name: 'Bench' })) as { id: string };
  const collection = `/dav/calendars/${list.id}/`;
  const fromClient = Math.floor(TASKS / 2);
  for (let n = 0; n < fromClient; n++) {
    const put = await dav('PUT', `${collection}client-${n}.ics`, clientTodo(`bench-${USER}-${n}`, n), {
      'Content-Type': 'text/calendar; charset=utf-8',
      'If-None-Match': '*',
    });
    expectStatus(put, 201, 'PUT');
  }
  for (let n = fromClient; n < TASKS; n += 100) {
    const size = Math.min(100, TASKS - n);
    const commands = Array.from({ length: size }, (_, i) => ({
      op: 'create',
      data: {
        title: `Web task ${n + i}`,
        list_id: list.id,
        priority: ['low', 'medium', 'high'][(n + i) % 3],
        tags: (n + i) % 2 ? ['work'] : [],
        ...((n + i) % 4
          ? { due_date: new Date(Date.UTC(2026, 11, 10 + ((n + i) % 18), 8)).toISOString() }
          : {}),
      },
    }));
    const { results } = (await rest('POST', '/api/tasks/batch', { commands })) as {
      results: { status: number }[];
    };
    if (results.some((r) => r.status !== 201)) throw new Error(`batch create: ${JSON.stringify(results)}`);
  }
  // Every task's id, page by page (Link: next).
  const ids: string[] = [];
  for (let next: string | undefined = `/api/tasks?list_id=${list.id}&limit=100`; next;) {
    const res = await fetch(`${server.url}${next}`, { headers: bearer });
    ids.push(...((await res.json()) as { id: string }[]).map((x) => x.id));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  if (ids.length !== TASKS) throw new Error(`the list has ${ids.length} tasks, not ${TASKS}`);
  const hrefs = texts((await dav('PROPFIND', collection, PROPFIND_BODY, { Depth: '1' })).text, 'href').filter(
    (h) => h.endsWith('.ics'),
  );
  if (hrefs.length !== TASKS) throw new Error(`the list has ${hrefs.length} resources, not ${TASKS}`);
  console.log(
    `seeded one list of ${TASKS} tasks (${fromClient} by PUT, ${TASKS - fromClient} by REST batch) in ${Math.round(performance.now() - started)} ms; node ${process.version}`,
  );

  const tokenNow = async () =>
    texts((await dav('PROPFIND', collection, TOKEN_BODY, { Depth: '0' })).text, 'sync-token')[0];
  const variants = [
    { label: 'sync-collection after 1 change (getetag)', props: '<d:getetag/>' },
    {
      label: 'sync-collection after 1 change (getetag + calendar-data)',
      props: '<d:getetag/><c:calendar-data/>',
    },
  ];
  const tokens = await Promise.all(variants.map(() => tokenNow()));
  const times = variants.map(() => [] as number[]);
  const patches: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // One change through REST, then each client's sync from its previous token.
    const id = ids[(round * 7919) % ids.length];
    const t0 = performance.now();
    await rest('PATCH', `/api/tasks/${id}`, { title: `Changed in round ${round}` });
    if (round >= WARMUP) patches.push(performance.now() - t0);
    for (const [i, variant] of variants.entries()) {
      const r = await dav('REPORT', collection, syncBody(tokens[i], variant.props), { Depth: '0' });
      expectStatus(r, 207, variant.label);
      const changed = texts(r.text, 'href');
      if (changed.length !== 1) throw new Error(`${variant.label}: ${changed.length} changes, not 1`);
      if (variant.props.includes('calendar-data') && !r.text.includes(`Changed in round ${round}`))
        throw new Error(`${variant.label}: the change is not in the answer`);
      tokens[i] = texts(r.text, 'sync-token')[0];
      if (round >= WARMUP) times[i].push(r.ms);
    }
  }

  const rows: [string, number[]][] = [
    ...variants.map((v, i): [string, number[]] => [v.label, times[i]]),
    ['PATCH /api/tasks/{id} (the change, REST)', patches],
  ];
  const context: [string, () => Promise<{ status: number; text: string; ms: number }>][] = [
    [
      `PROPFIND Depth 1 of the list (${TASKS} members, getetag)`,
      () => dav('PROPFIND', collection, PROPFIND_BODY, { Depth: '1' }),
    ],
    [
      `calendar-multiget of ${MULTIGET} (getetag + calendar-data)`,
      () => {
        const from = Math.floor(Math.random() * (hrefs.length - MULTIGET));
        return dav('REPORT', collection, multigetBody(hrefs.slice(from, from + MULTIGET)), { Depth: '1' });
      },
    ],
    ['calendar-query, all VTODOs (getetag)', () => dav('REPORT', collection, QUERY_BODY, { Depth: '1' })],
  ];
  for (const [label, call] of context) {
    const ms: number[] = [];
    for (let i = 0; i < 5 + RUNS; i++) {
      const r = await call();
      expectStatus(r, 207, label);
      if (i >= 5) ms.push(r.ms);
    }
    rows.push([label, ms]);
  }

  console.log(
    `\none request at a time, client-side ms (${WARMUP} warm-up rounds, 5 warm-up runs not counted)\n`,
  );
  console.log('| request | n | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|');
  for (const [label, ms] of rows) {
    const { median, p95, p99 } = summarise(ms);
    const f = (v: number) => v.toFixed(2);
    console.log(`| ${label} | ${ms.length} | ${f(median)} | ${f(p95)} | ${f(p99)} | ${f(Math.max(...ms))} |`);
  }
  const goal = summarise(times[0]).p95;
  console.log(
    `\nsync-collection after one change (getetag): p95 ${goal.toFixed(2)} ms; goal < 50 ms: ${goal < 50 ? 'met' : 'NOT met'}`,
  );
} finally {
  await server.stop();
  await db.stop();
}
