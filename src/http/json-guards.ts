/** How deep a request body's JSON may nest (objects and arrays); deeper is `400` before parsing. */
export const MAX_JSON_DEPTH = 32;
export const TOO_DEEP = `The request body nests deeper than ${MAX_JSON_DEPTH} levels`;

/** Keys that name an object's prototype machinery: never data, always an unknown field. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Whether the JSON text in `buf` nests objects and arrays deeper than `max`: one pass over the
 * bytes (brackets inside strings do not count), so thousands of levels cost no recursion at all.
 */
export function nestsDeeperThan(buf: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The paths of every `__proto__`, `constructor` or `prototype` key in a parsed body (JSON.parse
 * makes them plain own properties, which the validation layer would drop without a word).
 * The body is at most MAX_JSON_DEPTH deep here.
 */
export function prototypeKeys(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const own = !Array.isArray(value) && PROTOTYPE_KEYS.includes(key) ? [at] : [];
    return [...own, ...prototypeKeys((value as Record<string, unknown>)[key], at)];
  });
}
