import { DOMImplementation, DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';

/**
 * WebDAV's XML (RFC 4918, 4791, 6578) read and written with @xmldom/xmldom: elements are told apart
 * by namespace and local name, whatever prefixes a client chose (`D:`, `d:`, a default namespace),
 * which a prefix-keeping parser would leave to us. The rest of the module sees plain trees
 * (`XmlElement` in, `X` out), never the DOM. A body with a DOCTYPE is refused: WebDAV has no use
 * for one, and it is where entity expansion attacks live.
 */
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CS: 'http://calendarserver.org/ns/',
  APPLE: 'http://apple.com/ns/ical/',
} as const;

const PREFIXES: Record<string, string> = { [NS.DAV]: 'D', [NS.CALDAV]: 'C', [NS.CS]: 'CS', [NS.APPLE]: 'A' };
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/** A parsed element: namespace, local name, child elements and its text. */
export interface XmlElement {
  ns: string;
  name: string;
  children: XmlElement[];
  text: string;
  attributes: Record<string, string>;
}

/** An element to write: namespace, local name, children (elements or text), attributes (no namespace). */
export interface X {
  ns: string;
  name: string;
  children?: (X | string)[];
  attributes?: Record<string, string>;
}

export const x = (ns: string, name: string, ...children: (X | string)[]): X => ({ ns, name, children });
export const d = (name: string, ...children: (X | string)[]): X => x(NS.DAV, name, ...children);
/** An element with attributes and no children (`<C:comp name="VTODO"/>`). */
export const empty = (ns: string, name: string, attributes: Record<string, string>): X => ({
  ns,
  name,
  attributes,
});

/** A request body that is not the XML it should be: 400. */
export class DavXmlError extends Error {}

/** The document element of `text`, or DavXmlError when it is not well-formed XML (or has a DOCTYPE). */
export function parseXml(text: string): XmlElement {
  const fail = (message: string): never => {
    throw new DavXmlError(message);
  };
  let doc;
  try {
    doc = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') fail(message);
      },
    }).parseFromString(text, 'application/xml');
  } catch (err) {
    if (err instanceof DavXmlError) throw err;
    throw new DavXmlError((err as Error).message);
  }
  if (doc.doctype) fail('a DOCTYPE is not allowed');
  if (!doc.documentElement) fail('no document element');
  return toTree(doc.documentElement!);
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function toTree(el: Element): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (let i = 0; i < el.childNodes.length; i++) {
    const node: Node = el.childNodes.item(i)!;
    if (node.nodeType === ELEMENT) children.push(toTree(node as Element));
    else if (node.nodeType === TEXT || node.nodeType === CDATA) text += node.nodeValue ?? '';
  }
  const attributes: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const attr = el.attributes.item(i)!;
    if (attr.namespaceURI !== XMLNS && attr.name !== 'xmlns')
      attributes[attr.localName ?? attr.name] = attr.value;
  }
  return { ns: el.namespaceURI ?? '', name: el.localName ?? el.nodeName, children, text, attributes };
}

/** The first child of `el` with this namespace and name. */
export const child = (el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined =>
  el?.children.find((c) => c.ns === ns && c.name === name);

/** Every child of `el` with this namespace and name. */
export const childrenNamed = (el: XmlElement | undefined, ns: string, name: string): XmlElement[] =>
  el?.children.filter((c) => c.ns === ns && c.name === name) ?? [];

/** `root` as an XML document (UTF-8, with its declaration), namespaces declared on the root. */
export function writeXml(root: X): string {
  const namespaces = new Map<string, string>();
  const prefixOf = (ns: string): string => {
    let prefix = namespaces.get(ns);
    if (prefix === undefined) {
      prefix = PREFIXES[ns] ?? `x${namespaces.size}`;
      namespaces.set(ns, prefix);
    }
    return prefix;
  };
  const doc = new DOMImplementation().createDocument(root.ns, `${prefixOf(root.ns)}:${root.name}`, null);
  const build = (spec: X, el: Element) => {
    for (const c of spec.children ?? []) {
      if (typeof c === 'string') {
        el.appendChild(doc.createTextNode(c));
        continue;
      }
      const qualified = c.ns === '' ? c.name : `${prefixOf(c.ns)}:${c.name}`;
      const childEl = doc.createElementNS(c.ns === '' ? null : c.ns, qualified);
      for (const [attr, value] of Object.entries(c.attributes ?? {})) childEl.setAttribute(attr, value);
      el.appendChild(childEl);
      build(c, childEl);
    }
  };
  const top = doc.documentElement!;
  build(root, top);
  for (const [ns, prefix] of namespaces) top.setAttributeNS(XMLNS, `xmlns:${prefix}`, ns);
  return `<?xml version="1.0" encoding="utf-8"?>\n${new XMLSerializer().serializeToString(doc)}`;
}

/** `HTTP/1.1 200 OK`: a status line as multistatus bodies carry it. */
export const statusLine = (status: number, reason: string): string => `HTTP/1.1 ${status} ${reason}`;

/** One resource's properties in a multistatus: those found (200) and those not (404, empty). */
export interface PropResponse {
  href: string;
  found: X[];
  missing?: { ns: string; name: string }[];
}

/** A `DAV:response` with its propstats. */
export function propResponse({ href, found, missing = [] }: PropResponse): X {
  const propstats: X[] = [];
  if (found.length || !missing.length)
    propstats.push(d('propstat', d('prop', ...found), d('status', statusLine(200, 'OK'))));
  if (missing.length)
    propstats.push(
      d(
        'propstat',
        d('prop', ...missing.map((m) => x(m.ns, m.name))),
        d('status', statusLine(404, 'Not Found')),
      ),
    );
  return d('response', d('href', href), ...propstats);
}

/** A `DAV:response` that is only a status (a member gone: 404 in a sync-collection or a multiget). */
export const statusResponse = (href: string, status: number, reason: string): X =>
  d('response', d('href', href), d('status', statusLine(status, reason)));

/** A `DAV:error` body with one precondition element (RFC 4918 §16), such as `DAV:valid-sync-token`. */
export const davError = (ns: string, name: string): string => writeXml(d('error', x(ns, name)));
