import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { as } from './app.js';

/** An app password made through the API for `user`. */
export async function appPassword(app: INestApplication, user: string, name = 'client'): Promise<string> {
  const res = await as(app, user).post('/api/app-passwords').send({ name }).expect(201);
  return (res.body as { password: string }).password;
}

export const basic = (login: string, password: string): string =>
  `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

type Method =
  'options' | 'propfind' | 'report' | 'get' | 'head' | 'put' | 'delete' | 'proppatch' | 'mkcalendar';

/**
 * A WebDAV client over supertest signed in with HTTP Basic (`login`, `password`; none: anonymous).
 * Bodies are sent as given, with the content type a CalDAV client would use; answers are buffered
 * (`res.text`: XML, iCalendar; `res.body`: problem+json).
 */
export function davClient(app: INestApplication, login?: string, password?: string) {
  const server = app.getHttpServer() as App;
  const call = (method: Method, path: string, headers: Record<string, string> = {}) => {
    const req = (request(server) as unknown as Record<Method, (url: string) => request.Test>)[method](path);
    if (login !== undefined) req.set('Authorization', basic(login, password ?? ''));
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req;
  };
  const xml = (method: Method, path: string, body: string, headers: Record<string, string> = {}) =>
    call(method, path, { 'Content-Type': 'application/xml; charset=utf-8', ...headers })
      .buffer(true)
      .send(body);
  return {
    call,
    propfind: (path: string, body: string, depth: '0' | '1' = '0') =>
      xml('propfind', path, body, { Depth: depth }),
    report: (path: string, body: string) => xml('report', path, body, { Depth: '1' }),
    get: (path: string) => call('get', path).buffer(true),
    put: (path: string, ics: string, headers: Record<string, string> = {}) =>
      call('put', path, { 'Content-Type': 'text/calendar; charset=utf-8', ...headers }).send(ics),
    delete: (path: string, headers: Record<string, string> = {}) => call('delete', path, headers),
  };
}

/** A minimal VCALENDAR with one VTODO (CRLF line ends, as clients send). */
export function vtodo(uid: string, lines: string[] = []): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//caldav spec//EN',
    'BEGIN:VTODO',
    `UID:${uid}`,
    'DTSTAMP:20261206T120000Z',
    ...lines,
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** PROPFIND bodies and REPORTs as clients send them. */
export const PROPFIND = (...props: string[]) =>
  `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>${props.join('')}</d:prop></d:propfind>`;
