/**
 * Registers `specs` when the binary they need is installed. Without it, in CI (`CI=true`) the file
 * fails; elsewhere it says in one line what it skipped and how to install it, and checks only that.
 */
export function whenInstalled(installed: unknown, missing: string, specs: () => void): void {
  if (installed) return specs();
  if (process.env.CI === 'true') {
    it('has what it needs installed (required in CI)', () => {
      throw new Error(missing);
    });
    return;
  }
  console.warn(missing);
  it('says what it skipped and how to install it', () => {
    expect(missing).toMatch(/install/);
  });
}
