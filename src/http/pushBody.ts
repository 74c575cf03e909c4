/*
 * The receiveNIB body classifier: raw bytes + Token header → accepted (applied later) or rejected (with the PIA
 * answer), and exactly what the inbox keeps of it. Pure: credentials, clock and region are passed in.
 *
 * What is kept decides how far an attacker can fill the disk:
 * - a signed push (the Token matches its NIB) is OSS's: kept whole (redacted, at most PUSH_BODY_LIMIT), even when its
 *   document fails validation, because that document is the evidence OSS support asks for (it is quarantined);
 * - anything that does not prove to come from OSS (no or wrong Token, not JSON, no dataNIB.nib, too large, too deep)
 *   keeps only a summary: size, sha256 of the bytes received and the first SUMMARY_TEXT_CHARS characters, digit runs
 *   masked. A body too deep to parse safely is never parsed, so it is never authenticated either;
 * - a signed push for a NIB outside the region that we do not know keeps the same summary (see outsideRegion).
 */
import { createHash } from 'node:crypto';
import { maskDigitsInside, normalizeRegionCode, redactRaw } from '../normalize/index.js';
import type { InboxValidated, NewInboxItem } from '../store/inbox.js';
import { validateBusinesses } from '../validate/index.js';
import { verifyPushToken } from './pushToken.js';

/** Largest push body read (a dataNIB with many projects and checklists stays far below). */
export const PUSH_BODY_LIMIT = 4 * 1024 * 1024;
/** Deepest nesting accepted: a receiveNIB body is 6 levels deep, and every step after parsing is safe far beyond 64. */
export const MAX_PUSH_DEPTH = 64;
/** How much of a rejected body's text is kept. */
export const SUMMARY_TEXT_CHARS = 256;

/** Why a push was not applied: the label of oss_sync_push_rejected_total and push_inbox.reject_code. */
export const PUSH_REJECT_CODES = [
  'token',
  'malformed',
  'too_large',
  'too_deep',
  'outside_region',
  'rate_limited',
] as const;
export type PushRejectCode = (typeof PUSH_REJECT_CODES)[number];

export interface PushAnswer {
  httpStatus: number;
  status: '1' | '2';
  keterangan: string;
}

/** What is kept of a body that is not kept whole. */
export interface BodySummary {
  bytes: number;
  /** sha256 of the bytes received; null when the body was not read (too large). */
  sha256: Buffer | null;
  /** The first characters, digit runs masked; null when empty or not read. */
  text: string | null;
}

export interface PushContext {
  credentials: { username: string; password: string };
  piiKey: string;
  now: Date;
  /** The region (OSS_KD_DAERAH); null: every region is ours. */
  kdDaerah: string | null;
}

export interface AcceptedPush {
  kind: 'accepted';
  nib: string;
  /** Domiciled, with a project, or with a licence in the region; or naming no region at all. */
  inRegion: boolean;
  /** The redacted body. */
  payload: unknown;
  validated: InboxValidated;
  summary: BodySummary;
  answer: PushAnswer;
}

export interface RejectedPush {
  kind: 'rejected';
  code: PushRejectCode;
  /** Why, as stored in reject_reason. */
  reason: string;
  tokenOk: boolean;
  nib: string | null;
  summary: BodySummary;
  answer: PushAnswer;
}

export type PushVerdict = AcceptedPush | RejectedPush;

const ACCEPTED_KETERANGAN = 'Berhasil menyimpan data';

const DIGIT_RUN_RE = /\d{16,}/g;

/** Long digit runs (a NIK has 16) are masked in text we keep. */
function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN_RE, maskDigitsInside);
}

/** Postgres text and jsonb cannot hold NUL; JSON may also carry lone surrogates, which jsonb refuses. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character Postgres cannot store.
const UNSTORABLE_RE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with what Postgres cannot store replaced by U+FFFD. */
function storableText(text: string): string {
  return text.replace(UNSTORABLE_RE, '\ufffd');
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The first `max` characters of `text`, storable and with digit runs masked. A digit run cut by the end is dropped,
 * since the part of a NIK before the cut would otherwise be kept unmasked.
 */
export function maskedPrefix(text: string, max: number): string {
  let end = Math.min(max, text.length);
  if (end < text.length && isDigit(text.charCodeAt(end))) {
    while (end > 0 && isDigit(text.charCodeAt(end - 1))) end--;
  }
  return maskDigitRuns(storableText(text.slice(0, end)));
}

export function summarizeBody(body: Buffer, text: string): BodySummary {
  return {
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest(),
    text: text === '' ? null : maskedPrefix(text, SUMMARY_TEXT_CHARS),
  };
}

/**
 * True when brackets outside strings nest deeper than `max`. One pass, no allocation, stops at the first level
 * past `max`: it runs before JSON.parse, whose result for a deep body is far larger than the body.
 */
export function exceedsNesting(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character: an escaped quote does not end the string.
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if ((c === 125 || c === 93) && depth > 0) depth--;
  }
  return false;
}

/** A parsed JSON value with every string and key made storable (depth is bounded by MAX_PUSH_DEPTH). */
function storableValue(v: unknown): unknown {
  if (typeof v === 'string') return storableText(v);
  if (Array.isArray(v)) return v.map(storableValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // Defined, not assigned: a "__proto__" key from JSON stays a plain key.
      Object.defineProperty(out, storableText(k), {
        value: storableValue(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The region codes a dataNIB names: domicile, project locations, and the licences (the one that triggered the push). */
function regionCodes(doc: Record<string, unknown>): string[] {
  const codes: unknown[] = [doc.perseroan_daerah_id, doc.kd_daerah];
  for (const p of asList(doc.data_proyek)) {
    for (const l of asList(asObject(p)?.data_lokasi_proyek)) codes.push(asObject(l)?.proyek_daerah_id);
  }
  for (const c of asList(doc.data_checklist)) codes.push(asObject(c)?.kd_daerah);
  return codes.flatMap((c) => {
    const code = normalizeRegionCode(c);
    return typeof code === 'string' ? [code] : [];
  });
}

/** Outside the region only on evidence: a document that names no region at all is ours (the rules flag it). */
function isInRegion(doc: Record<string, unknown>, kdDaerah: string | null): boolean {
  if (kdDaerah === null) return true;
  const codes = regionCodes(doc);
  return codes.length === 0 || codes.some((code) => code.startsWith(kdDaerah));
}

/** A NIB as kept of a rejected push: short and with long digit runs masked (anyone may have written it). */
function keptNib(nib: string | null): string | null {
  return nib === null || nib.length > 32 ? null : maskDigitRuns(storableText(nib));
}

const rejectedAnswer = (httpStatus: number, keterangan: string): PushAnswer => ({
  httpStatus,
  status: '2',
  keterangan,
});

/** Classifies one push. Never throws. */
export function classifyPush(body: Buffer, token: string | undefined, ctx: PushContext): PushVerdict {
  const text = body.toString('utf8');
  const summary = summarizeBody(body, text);
  const rejected = (
    code: PushRejectCode,
    httpStatus: number,
    reason: string,
    nib: string | null = null,
  ): RejectedPush => ({
    kind: 'rejected',
    code,
    reason,
    tokenOk: false,
    nib: keptNib(nib),
    summary,
    answer: rejectedAnswer(httpStatus, reason),
  });
  if (exceedsNesting(text, MAX_PUSH_DEPTH)) {
    return rejected(
      'too_deep',
      400,
      `Struktur JSON bersarang lebih dari ${MAX_PUSH_DEPTH} tingkat (nesting deeper than ${MAX_PUSH_DEPTH} levels)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const reason =
      text.trim() === '' ? 'Body kosong (empty body)' : 'Body bukan JSON yang valid (body is not valid JSON)';
    return rejected('malformed', 400, reason);
  }
  const dataNIB = asObject(asObject(parsed)?.dataNIB);
  if (!dataNIB)
    return rejected('malformed', 400, 'dataNIB tidak ada atau bukan objek (dataNIB missing or not an object)');
  const nibValue = dataNIB.nib;
  const nib = typeof nibValue === 'string' ? nibValue.trim() : typeof nibValue === 'number' ? String(nibValue) : '';
  if (nib === '') return rejected('malformed', 400, 'dataNIB.nib kosong (dataNIB.nib missing)');
  const check = verifyPushToken(token, ctx.credentials, nib, ctx.now);
  if (!check.ok) return rejected('token', 401, check.reason, nib);

  // Only a \u escape can put NUL or a lone surrogate in parsed JSON (raw control characters are not JSON).
  const clean = (text.includes('\\u') ? storableValue(parsed) : parsed) as Record<string, unknown>;
  const document = asObject(clean.dataNIB) ?? {};
  // Normalized now, while the full identity numbers are in memory: the inbox keeps only hashes and masked forms.
  const { valid, rejected: invalid } = validateBusinesses([document], { piiKey: ctx.piiKey });
  return {
    kind: 'accepted',
    nib,
    inRegion: isInRegion(document, ctx.kdDaerah),
    payload: redactRaw(clean),
    validated: { valid, rejected: invalid },
    summary,
    answer: { httpStatus: 200, status: '1', keterangan: ACCEPTED_KETERANGAN },
  };
}

/**
 * A signed push for a NIB outside the region that we do not know (no partnership, queue, export or stored row): it
 * is not ours to apply. Answered "1", since OSS resending it would change nothing, and kept as a summary only.
 */
export function outsideRegion(v: AcceptedPush, kdDaerah: string): RejectedPush {
  return {
    kind: 'rejected',
    code: 'outside_region',
    reason: `NIB di luar wilayah ${kdDaerah}, tidak diproses (outside region)`,
    tokenOk: true,
    nib: keptNib(v.nib),
    summary: v.summary,
    answer: {
      httpStatus: 200,
      status: '1',
      keterangan: `Diterima; NIB di luar wilayah ${kdDaerah}, tidak diproses (outside region)`,
    },
  };
}

function notRead(code: PushRejectCode, httpStatus: number, reason: string, declaredBytes: number): RejectedPush {
  return {
    kind: 'rejected',
    code,
    reason,
    tokenOk: false,
    nib: null,
    summary: { bytes: declaredBytes, sha256: null, text: null },
    answer: rejectedAnswer(httpStatus, reason),
  };
}

/** A body larger than PUSH_BODY_LIMIT: refused before it is read. */
export function tooLarge(declaredBytes: number): RejectedPush {
  return notRead('too_large', 413, `Body melebihi ${PUSH_BODY_LIMIT} byte (body larger than the limit)`, declaredBytes);
}

/** A request whose body could not be read (aborted, bad encoding header). */
export function unreadable(declaredBytes: number, httpStatus: number, message: string): RejectedPush {
  const reason = `Permintaan tidak dapat dibaca (request could not be read: ${message.slice(0, 200)})`;
  return notRead('malformed', httpStatus, reason, declaredBytes);
}

/** What the inbox keeps of a verdict. */
export function keptItem(v: PushVerdict): Omit<NewInboxItem, 'method' | 'remoteAddr'> {
  const common = { nib: v.nib, bodyBytes: v.summary.bytes, bodySha256: v.summary.sha256 };
  if (v.kind === 'accepted') {
    return {
      ...common,
      status: 'pending',
      rejectCode: null,
      rejectReason: null,
      tokenOk: true,
      payload: v.payload,
      bodyText: null,
      validated: v.validated,
    };
  }
  return {
    ...common,
    status: 'rejected',
    rejectCode: v.code,
    rejectReason: maskDigitRuns(storableText(v.reason)),
    tokenOk: v.tokenOk,
    payload: null,
    bodyText: v.summary.text,
    validated: null,
  };
}
