import { safeUrl } from './request-log.js';

describe('safeUrl', () => {
  it('keeps paths and harmless parameters', () => {
    expect(safeUrl('/api/tasks')).toBe('/api/tasks');
    expect(safeUrl('/api/tasks?status=pending&limit=5')).toBe('/api/tasks?status=pending&limit=5');
  });

  it('redacts credential-like parameters', () => {
    const out = safeUrl('/api/me?access_token=eyJhbGc.x.y&token=abc&api_key=k&q=milk');
    expect(out).not.toMatch(/eyJhbGc|abc|=k&/);
    expect(out).toContain('q=milk');
  });
});
