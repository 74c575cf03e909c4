/*
 * Console passwords: scrypt from node:crypto (memory-hard, no native dependency), stored as
 * `scrypt$N$r$p$<salt base64>$<key base64>` so the cost can be raised later without breaking stored hashes.
 * Passwords are NFC-normalized first: the same password typed on two keyboards (é as one code point or as e + ´)
 * verifies the same.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const MAX_MEM = 64 * 1024 * 1024;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MIN_CHARS = 10;
const MAX_CHARS = 200;

const derive = (plain: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

const encode = (salt: Buffer, key: Buffer, cost: { N: number; r: number; p: number } = COST) =>
  `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;

/** The stored form of a password (a fresh random salt each time). */
export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(salt, await derive(plain, salt, KEY_BYTES, { ...COST, maxmem: MAX_MEM }));
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The parts of a stored hash, or null when it is not one this module wrote (or its cost is out of range). */
function parse(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : Number.NaN)) as [
    number,
    number,
    number,
  ];
  // A power of two up to 2^20, and a block size and parallelism that stay within the memory cap.
  if (!(N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0) || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return null;
  const [salt64, key64] = parts.slice(4) as [string, string];
  if (!BASE64.test(salt64) || !BASE64.test(key64)) return null;
  const salt = Buffer.from(salt64, 'base64');
  const key = Buffer.from(key64, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { N, r, p, salt, key };
}

/** True when `plain` is the password `stored` was made from; false for any other password or a malformed hash. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const h = typeof stored === 'string' ? parse(stored) : null;
  if (h === null) return false;
  try {
    const key = await derive(plain, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: MAX_MEM });
    return timingSafeEqual(key, h.key);
  } catch {
    // Parameters the memory cap refuses: not a hash this installation can check.
    return false;
  }
}

/**
 * A well-formed hash (random salt, random key) that no password verifies against: a login for an unknown account is
 * checked against it, so it costs the same scrypt work as a real one and response times do not reveal which names
 * exist. Random bytes rather than the hash of a random string: the same shape and cost, without scrypt at start-up.
 */
export const DUMMY_HASH: string = encode(randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));

/** Why a new password is refused (Indonesian, for the person choosing it), or null when it is acceptable. */
export function passwordProblem(plain: string): string | null {
  const chars = [...plain.normalize('NFC')].length;
  if (chars < MIN_CHARS) return `Kata sandi minimal ${MIN_CHARS} karakter`;
  if (chars > MAX_CHARS) return `Kata sandi maksimal ${MAX_CHARS} karakter`;
  return null;
}
