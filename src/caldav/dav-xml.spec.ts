import { child, d, DavXmlError, empty, NS, parseXml, writeXml, x } from './dav-xml.js';

describe('dav-xml', () => {
  it('reads elements by namespace whatever the prefixes', () => {
    for (const body of [
      '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
      '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
      '<?xml version="1.0"?><x:propfind xmlns:x="DAV:"><x:prop><x:getetag/></x:prop></x:propfind>',
    ]) {
      const root = parseXml(body);
      expect([root.ns, root.name]).toEqual([NS.DAV, 'propfind']);
      expect(child(child(root, NS.DAV, 'prop'), NS.DAV, 'getetag')).toBeDefined();
    }
  });

  it('refuses what is not well-formed, and any DOCTYPE (no entity expansion)', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(DavXmlError);
    expect(() => parseXml('')).toThrow(DavXmlError);
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><D:propfind xmlns:D="DAV:">&b;</D:propfind>';
    expect(() => parseXml(laughs)).toThrow(DavXmlError);
  });

  it('writes namespaced elements, attributes and escaped text, which read back the same', () => {
    const xml = writeXml(
      d(
        'multistatus',
        d(
          'response',
          d('href', '/a&b<c>'),
          x(NS.CALDAV, 'calendar-data', 'SUMMARY:x < y'),
          empty(NS.CALDAV, 'comp', { name: 'VTODO' }),
          x('urn:other', 'thing'),
        ),
      ),
    );
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<D:multistatus xmlns:D="DAV:"/);
    const back = parseXml(xml);
    const response = child(back, NS.DAV, 'response')!;
    expect(child(response, NS.DAV, 'href')!.text).toBe('/a&b<c>');
    expect(child(response, NS.CALDAV, 'calendar-data')!.text).toBe('SUMMARY:x < y');
    expect(child(response, NS.CALDAV, 'comp')!.attributes).toEqual({ name: 'VTODO' });
    expect(child(response, 'urn:other', 'thing')).toBeDefined();
  });
});
