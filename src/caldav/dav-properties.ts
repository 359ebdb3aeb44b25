import type { AuthUser } from '../auth/auth-user.js';
import { canWrite } from '../lists/roles.js';
import type { CalendarRow } from './caldav.repository.js';
import { DAV_BODY_LIMIT_BYTES } from './dav-body.middleware.js';
import { CALENDAR_HOME, calendarHref, DAV_ROOT, PRINCIPAL } from './dav-paths.js';
import { child, d, empty, NS, x, type PropResponse, type X, type XmlElement } from './dav-xml.js';

/** The content type of every resource: a VTODO in a VCALENDAR. */
export const ICS_TYPE = 'text/calendar; charset=utf-8; component=vtodo';

/** What a PROPFIND (or a report's `DAV:prop`) asks for. */
export type PropRequest =
  { kind: 'prop'; names: { ns: string; name: string }[] } | { kind: 'allprop' } | { kind: 'propname' };

/** The `DAV:prop` names of `el` (a propfind or a report), or allprop/propname. An absent body is allprop (RFC 4918 9.1). */
export function propRequest(el: XmlElement | undefined): PropRequest {
  if (!el || child(el, NS.DAV, 'allprop')) return { kind: 'allprop' };
  if (child(el, NS.DAV, 'propname')) return { kind: 'propname' };
  const prop = child(el, NS.DAV, 'prop');
  return { kind: 'prop', names: (prop?.children ?? []).map(({ ns, name }) => ({ ns, name })) };
}

/** Properties of one resource, each computed when asked for (calendar-data only when named). */
export interface Properties {
  href: string;
  props: X[];
  /** Properties given only when named, never for allprop (RFC 4791: calendar-data). */
  onRequest?: X[];
}

/** The response of `resource` to `request`: what it has (200) and what it has not (404). */
export function answer(resource: Properties, request: PropRequest): PropResponse {
  const { href, props, onRequest = [] } = resource;
  if (request.kind === 'allprop') return { href, found: props };
  if (request.kind === 'propname')
    return { href, found: [...props, ...onRequest].map((p) => x(p.ns, p.name)) };
  const all = [...props, ...onRequest];
  const found: X[] = [];
  const missing: { ns: string; name: string }[] = [];
  for (const wanted of request.names) {
    const prop = all.find((p) => p.ns === wanted.ns && p.name === wanted.name);
    if (prop) found.push(prop);
    else missing.push(wanted);
  }
  return { href, found, missing };
}

const href = (path: string) => d('href', path);
const resourcetype = (...types: X[]) => d('resourcetype', d('collection'), ...types);
const principalProps = () => [d('current-user-principal', href(PRINCIPAL))];

export function rootProperties(): Properties {
  return { href: DAV_ROOT, props: [resourcetype(), d('displayname', 'Tasks'), ...principalProps()] };
}

export function principalProperties(user: AuthUser): Properties {
  const props = [
    resourcetype(d('principal')),
    d('displayname', user.name ?? user.email ?? user.sub),
    ...principalProps(),
    d('principal-URL', href(PRINCIPAL)),
    x(NS.CALDAV, 'calendar-home-set', href(CALENDAR_HOME)),
  ];
  if (user.email) props.push(x(NS.CALDAV, 'calendar-user-address-set', href(`mailto:${user.email}`)));
  return { href: PRINCIPAL, props };
}

export function homeProperties(): Properties {
  return { href: CALENDAR_HOME, props: [resourcetype(), d('displayname', 'Lists'), ...principalProps()] };
}

/** What the caller may do in a list: a viewer reads; an owner or editor also writes its tasks. */
function privileges(calendar: CalendarRow): X {
  const names = ['read', 'read-current-user-privilege-set'];
  if (canWrite(calendar.role)) names.push('write', 'write-content', 'write-properties', 'bind', 'unbind');
  return d('current-user-privilege-set', ...names.map((n) => d('privilege', d(n))));
}

/** A list as a calendar collection of VTODOs. */
export function calendarProperties(calendar: CalendarRow, syncToken: string): Properties {
  const props = [
    resourcetype(x(NS.CALDAV, 'calendar')),
    d('displayname', calendar.name),
    x(NS.CALDAV, 'supported-calendar-component-set', empty(NS.CALDAV, 'comp', { name: 'VTODO' })),
    x(
      NS.CALDAV,
      'supported-calendar-data',
      empty(NS.CALDAV, 'calendar-data', { 'content-type': 'text/calendar', version: '2.0' }),
    ),
    x(NS.CS, 'getctag', `${calendar.seq}.${calendar.version}`),
    d('sync-token', syncToken),
    privileges(calendar),
    ...principalProps(),
    d(
      'supported-report-set',
      ...[x(NS.CALDAV, 'calendar-multiget'), x(NS.CALDAV, 'calendar-query'), d('sync-collection')].map((r) =>
        d('supported-report', d('report', r)),
      ),
    ),
    x(NS.CALDAV, 'max-resource-size', String(DAV_BODY_LIMIT_BYTES)),
  ];
  if (calendar.color) props.push(x(NS.APPLE, 'calendar-color', `${calendar.color.toUpperCase()}FF`));
  return { href: calendarHref(calendar.id), props };
}

/** A task as a resource: its ETag (davEtag: the version, and the reader's reminder changes), content type, and its iCalendar when named. */
export function resourceProperties(path: string, etag: string, updatedAt: string, ics?: string): Properties {
  return {
    href: path,
    props: [
      d('getetag', etag),
      d('getcontenttype', ICS_TYPE),
      d('resourcetype'),
      d('getlastmodified', new Date(updatedAt).toUTCString()),
    ],
    onRequest: ics === undefined ? [] : [x(NS.CALDAV, 'calendar-data', ics)],
  };
}
