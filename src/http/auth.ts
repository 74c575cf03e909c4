import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * True when an Authorization header carries `Bearer <token>`. Both sides are hashed first, so the comparison takes
 * the same time whatever the length or content of the guess.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(\S.*)$/i.exec(header ?? '');
  const given = match?.[1]?.trim() ?? '';
  const equal = timingSafeEqual(digest(given), digest(token));
  return match !== null && given !== '' && equal;
}
