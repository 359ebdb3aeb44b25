import { davTarget, resourceHref } from './dav-paths.js';

const LIST = '7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b';

describe('davTarget', () => {
  it('reads paths and hrefs (absolute, percent-encoded) into what they name', () => {
    expect(davTarget('/dav')).toEqual({ kind: 'root' });
    expect(davTarget('/dav/')).toEqual({ kind: 'root' });
    expect(davTarget('/dav/principal/')).toEqual({ kind: 'principal' });
    expect(davTarget('/dav/calendars')).toEqual({ kind: 'home' });
    expect(davTarget(`/dav/calendars/${LIST.toUpperCase()}/`)).toEqual({ kind: 'calendar', list: LIST });
    expect(davTarget(`http://host:8000/dav/calendars/${LIST}/a%20b.ics`)).toEqual({
      kind: 'resource',
      list: LIST,
      name: 'a b.ics',
    });
    expect(davTarget(resourceHref(LIST, 'x/y?.ics'))).toEqual({
      kind: 'resource',
      list: LIST,
      name: 'x/y?.ics',
    });
  });

  it('is null for anything else', () => {
    for (const path of [
      '/',
      '/api/tasks',
      '/dav/other',
      '/dav/calendars/not-a-uuid/',
      `/dav/calendars/${LIST}/a/b`,
      '/dav/principal/x',
      '/dav/%zz',
    ])
      expect(davTarget(path)).toBeNull();
  });
});
