import type { z } from 'zod';

/** The body of every non-2xx answer of the admin routes. */
export interface ApiError {
  error: string;
  message: string;
  fields?: Array<{ field: string; message: string }>;
  [extra: string]: unknown;
}

/** Every zod issue as { field, message }, naming the field (unknown fields by their own names). */
export function zodFieldErrors(error: z.ZodError): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ field: [...issue.path, key].join('.'), message: 'is not a known field' });
      continue;
    }
    out.push({ field: issue.path.length ? issue.path.join('.') : 'body', message: issue.message });
  }
  return out;
}
