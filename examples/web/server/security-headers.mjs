// The headers every answer of the web app carries. Set by server.mjs, per process rather than in
// next.config.ts, whose headers are fixed at build time: the policy names the API's origin
// (TASKS_API_URL), which is read at start, so one build serves any API address.

/**
 * `apiUrl`: where the pages call the API (fetch, the event stream). `dev`: `server.mjs --dev`, whose
 * React refresh evaluates code (`'unsafe-eval'`) and whose hot reload talks over a WebSocket.
 * Next.js writes inline scripts (the page's data) without a nonce unless every page is rendered
 * per request with one: hence `'unsafe-inline'` for scripts; what it protects here is framing,
 * plugins, `<base>`, form targets and where the page may connect or load code from.
 */
export function securityHeaders({ apiUrl, dev = false }) {
  const api = new URL(apiUrl).origin;
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${api}${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': policy,
    // For browsers without CSP's frame-ancestors.
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}
