/** A command line the user got wrong: exit code 2 with this message. */
export class UsageError extends Error {}

/** A trimmed string option, or null when absent or blank. */
export function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A whole-number option (≥ min), or undefined when absent. */
export function intOption(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${String(value)}"`);
  }
  return n;
}

/** The user who runs the command, for the run record. */
export async function currentUser(): Promise<string> {
  const { userInfo } = await import('node:os');
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}
