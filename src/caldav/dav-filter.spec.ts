import { matches } from './dav-filter.js';
import { parseXml } from './dav-xml.js';

const ics = (...lines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//spec//EN',
    'BEGIN:VTODO',
    'UID:u',
    ...lines,
    'END:VTODO',
    'END:VCALENDAR',
  ].join('\r\n');
const filter = (inner: string) =>
  parseXml(
    `<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">${inner}</C:comp-filter></C:comp-filter></C:filter>`,
  );

describe('calendar-query filters', () => {
  it('match components, properties and text (negated, case-insensitive by default)', () => {
    expect(matches(filter(''), ics('SUMMARY:x'))).toBe(true);
    const notCompleted = filter(
      '<C:prop-filter name="STATUS"><C:text-match negate-condition="yes">COMPLETED</C:text-match></C:prop-filter>',
    );
    expect(matches(notCompleted, ics('STATUS:NEEDS-ACTION'))).toBe(true);
    expect(matches(notCompleted, ics('STATUS:completed'))).toBe(false);
    expect(matches(notCompleted, ics())).toBe(false);
    const undefinedCompleted = filter('<C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter>');
    expect(matches(undefinedCompleted, ics())).toBe(true);
    expect(matches(undefinedCompleted, ics('COMPLETED:20261206T120000Z'))).toBe(false);
    const octet = filter(
      '<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">Milk</C:text-match></C:prop-filter>',
    );
    expect(matches(octet, ics('SUMMARY:Buy Milk'))).toBe(true);
    expect(matches(octet, ics('SUMMARY:buy milk'))).toBe(false);
    expect(matches(filter('<C:comp-filter name="VALARM"/>'), ics())).toBe(false);
  });

  it('match a VTODO’s time range on DUE (RFC 4791 9.9)', () => {
    const december = filter('<C:time-range start="20261201T000000Z" end="20270101T000000Z"/>');
    expect(matches(december, ics('DUE:20261210T100000Z'))).toBe(true);
    expect(matches(december, ics('DUE:20270110T100000Z'))).toBe(false);
    expect(matches(december, ics())).toBe(true);
  });
});
