import {
  hashAppPassword,
  lookupOf,
  newAppPassword,
  normaliseAppPassword,
  SCRYPT,
  verifyAppPassword,
} from './app-password.js';

describe('app passwords', () => {
  it('are 24 characters without look-alikes, in groups of four, each one new', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = newAppPassword();
      expect(password).toMatch(/^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });

  it('are read as typed: dashes, spaces and case do not matter; anything else is no password', () => {
    const password = newAppPassword();
    const plain = password.replaceAll('-', '');
    expect(normaliseAppPassword(password)).toBe(plain);
    expect(normaliseAppPassword(` ${password.toUpperCase().replaceAll('-', ' ')} `)).toBe(plain);
    expect(normaliseAppPassword(plain.slice(1))).toBeNull();
    expect(normaliseAppPassword(`${plain.slice(1)}0`)).toBeNull();
    expect(normaliseAppPassword('')).toBeNull();
    expect(lookupOf(plain)).toBe(plain.slice(0, 4));
  });

  it('are stored as a salted scrypt hash with its parameters, which verifies only the password', async () => {
    const plain = normaliseAppPassword(newAppPassword())!;
    const stored = await hashAppPassword(plain);
    expect(stored).toMatch(
      new RegExp(`^scrypt\\$${SCRYPT.N}\\$${SCRYPT.r}\\$${SCRYPT.p}\\$[\\w-]{22}\\$[\\w-]{43}$`),
    );
    expect(stored).not.toContain(plain);
    expect(await hashAppPassword(plain)).not.toBe(stored);
    expect(await verifyAppPassword(plain, stored)).toBe(true);
    const other = `${plain.slice(0, -1)}${plain.endsWith('a') ? 'b' : 'a'}`;
    expect(await verifyAppPassword(other, stored)).toBe(false);
    expect(await verifyAppPassword(plain, 'bcrypt$whatever')).toBe(false);
  });

  it('verify with the parameters stored with the hash, not the current ones', async () => {
    const plain = normaliseAppPassword(newAppPassword())!;
    const stored = await hashAppPassword(plain);
    const [, , , , salt, key] = stored.split('$');
    // The same salt under other parameters is another key: the stored parameters are what count.
    expect(await verifyAppPassword(plain, ['scrypt', 1024, 8, 1, salt, key].join('$'))).toBe(false);
  });
});
