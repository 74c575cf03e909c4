import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from '../../src/web/passwords.js';

describe('console passwords', () => {
  it('stores a scrypt hash that verifies the password and nothing else', async () => {
    const stored = await hashPassword('kemitraan-Rembang-2026');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain('kemitraan-Rembang-2026');
    expect(await verifyPassword('kemitraan-Rembang-2026', stored)).toBe(true);
    expect(await verifyPassword('kemitraan-rembang-2026', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash: the same password twice gives two different hashes', async () => {
    const [a, b] = await Promise.all([hashPassword('sama-sama-saja'), hashPassword('sama-sama-saja')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('sama-sama-saja', b)).toBe(true);
  });

  it('verifies the same password typed in another Unicode form (NFC and NFD)', async () => {
    const stored = await hashPassword('kopi-gayo-caf\u00e9');
    expect(await verifyPassword('kopi-gayo-cafe\u0301', stored)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['plain text', 'kata sandi lama'],
    ['another scheme', '$2b$12$abcdefghijklmnopqrstuuJ2Wq7VJ3x8vF0pQ9Z1YQe1bLk2r5a4m'],
    ['too few parts', 'scrypt$32768$8$1$c2FsdA=='],
    [
      'cost not a power of two',
      'scrypt$30000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'cost beyond the memory cap',
      'scrypt$1048576$32$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    ['salt not base64', 'scrypt$32768$8$1$not*base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['key too short', 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA'],
  ])('a malformed stored hash (%s) verifies false', async (_, stored) => {
    expect(await verifyPassword('kemitraan-Rembang-2026', stored)).toBe(false);
  });

  it('the dummy hash is well formed and no password matches it', async () => {
    expect(DUMMY_HASH).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('admin', DUMMY_HASH)).toBe(false);
  });

  it('verify(p, hash(p)) holds for any string, Unicode included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 20 }), async (p, q) => {
        const stored = await hashPassword(p);
        expect(await verifyPassword(p, stored)).toBe(true);
        if (p.normalize('NFC') !== q.normalize('NFC')) expect(await verifyPassword(q, stored)).toBe(false);
      }),
      { numRuns: 8 },
    );
  });

  it.each([
    ['', 'Kata sandi minimal 10 karakter'],
    ['123456789', 'Kata sandi minimal 10 karakter'],
    // Nine characters even though it is 18 UTF-16 units.
    ['😀😀😀😀😀😀😀😀😀', 'Kata sandi minimal 10 karakter'],
    ['1234567890', null],
    ['kopi gayo pagi hari', null],
    ['x'.repeat(200), null],
    ['x'.repeat(201), 'Kata sandi maksimal 200 karakter'],
  ])('passwordProblem(%j) → %j', (plain, problem) => {
    expect(passwordProblem(plain)).toBe(problem);
  });
});
