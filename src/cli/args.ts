import { parseArgs } from 'node:util';
import { STREAMS, type StreamName } from '../domain/glossary.js';

/** A command line the user got wrong: exit code 2 with this message. */
export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | string[] | undefined>;

/** Parses flags strictly: an unknown flag is a usage error naming it. */
export function parseFlags(
  args: string[],
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'],
): { values: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true });
    return { values: values as Flags, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseStreams(value: string | boolean | string[] | undefined): StreamName[] {
  if (value === undefined) return [];
  const list = (Array.isArray(value) ? value : [String(value)]).flatMap((v) => v.split(','));
  for (const s of list) {
    if (!(STREAMS as readonly string[]).includes(s))
      throw new UsageError(`--stream must be one of ${STREAMS.join(', ')}, got "${s}"`);
  }
  return list as StreamName[];
}

export function optionalString(value: string | boolean | string[] | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
