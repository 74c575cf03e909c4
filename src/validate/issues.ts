import type { core } from 'zod';
import type { ValidationIssue } from '../domain/records.js';
import { readObject } from '../normalize/fields.js';
import { EXPECTATIONS, type ExpectationKind } from './schemas.js';

const NO_KEYS: Readonly<Record<string, string>> = {};

/**
 * One zod issue over a normalized record → a ValidationIssue in wire terms: the wire path
 * ('data_proyek[0].id_proyek'), the expectation, and `got`, read at that path from the redacted raw payload (so it
 * never holds a full NIK; null when the field is absent).
 */
export function toValidationIssue(
  issue: core.$ZodIssue,
  redactedRaw: unknown,
  wireKeys: Readonly<Record<string, string>> = NO_KEYS,
): ValidationIssue {
  let path = '';
  let got: unknown = redactedRaw;
  for (const seg of issue.path) {
    if (typeof seg === 'number') {
      path += `[${seg}]`;
      got = Array.isArray(got) ? got[seg] : undefined;
    } else {
      const key = wireKeys[String(seg)] ?? String(seg);
      path += path === '' ? key : `.${key}`;
      got = readObject(got)?.[key];
    }
  }
  const known = Object.hasOwn(EXPECTATIONS, issue.message);
  const expectation = known ? EXPECTATIONS[issue.message as ExpectationKind] : undefined;
  const subject = path === '' ? 'The record' : path;
  if (expectation === undefined) {
    return { path, expected: 'a valid value', got: got ?? null, message: `${subject} is invalid: ${issue.message}.` };
  }
  const problem = got === undefined ? 'is missing' : expectation.problem;
  return { path, expected: expectation.expected, got: got ?? null, message: `${subject} ${problem}.` };
}

/** The issue of a record that is not an object at all (null, a string, an array). */
export function notAnObjectIssue(redactedRaw: unknown): ValidationIssue {
  return {
    path: '',
    expected: EXPECTATIONS.object.expected,
    got: redactedRaw ?? null,
    message: 'The record is not an object.',
  };
}

/** The issue of a record that normalize could not read (a bug, not bad data): kept as a rejection, never thrown. */
export function unreadableIssue(redactedRaw: unknown, err: unknown): ValidationIssue {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    path: '',
    expected: 'a record oss-sync can read',
    got: redactedRaw ?? null,
    message: `The record could not be normalized: ${reason}.`,
  };
}
