/*
 * POST /receiveNIB: the OSS push receiver (PIA contract, oss-feeds.md). Every request is written to the inbox
 * before it is answered: accepted ("1") when the Token matches and the body holds a dataNIB, otherwise rejected
 * ("2" with the reason) and still kept, so no push is silently lost. The inbox worker applies accepted items.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { maskDigitsInside, redactRaw } from '../normalize/index.js';
import type { Db } from '../store/db.js';
import { type InboxValidated, insertInboxItem, type NewInboxItem } from '../store/inbox.js';
import { validateBusinesses } from '../validate/index.js';
import { verifyPushToken } from './pushToken.js';

/** Largest push body read (a dataNIB with many projects and checklists stays far below). */
export const PUSH_BODY_LIMIT = 4 * 1024 * 1024;
/** How much of a body that is not JSON is kept (digit runs masked). */
const BODY_TEXT_KEPT = 64 * 1024;

export interface PushRouteDeps {
  db: Db;
  log: Logger;
  metrics: Metrics;
  credentials: { username: string; password: string } | null;
  piiKey: string;
  now: () => Date;
  /** Called once an accepted push is stored (starts applying it). */
  onAccepted: () => void;
}

type PushAnswer = { responreceiveNIB: { status: '1' | '2'; keterangan: string } };

const answer = (status: '1' | '2', keterangan: string): PushAnswer => ({ responreceiveNIB: { status, keterangan } });

/** Long digit runs (a NIK has 16) are masked in text we keep. */
function maskDigitRuns(text: string): string {
  return text.replace(/\d{16,}/g, (run) => maskDigitsInside(run));
}

function safeRedact(value: unknown): unknown {
  try {
    return redactRaw(value);
  } catch {
    return null;
  }
}

interface Classified {
  status: 'pending' | 'rejected';
  httpStatus: number;
  reason: string | null;
  nib: string | null;
  tokenOk: boolean;
  parsed: unknown;
  validated: InboxValidated | null;
}

function classify(deps: PushRouteDeps, raw: string, token: string | undefined): Classified {
  const rejected = (httpStatus: number, reason: string, extra: Partial<Classified> = {}): Classified => ({
    status: 'rejected',
    httpStatus,
    reason,
    nib: null,
    tokenOk: false,
    parsed: undefined,
    validated: null,
    ...extra,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return rejected(
      400,
      raw.trim() === '' ? 'Body kosong (empty body)' : 'Body bukan JSON yang valid (body is not valid JSON)',
    );
  }
  const dataNIB =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).dataNIB
      : undefined;
  if (!dataNIB || typeof dataNIB !== 'object' || Array.isArray(dataNIB)) {
    return rejected(400, 'dataNIB tidak ada atau bukan objek (dataNIB missing or not an object)', { parsed });
  }
  const nibValue = (dataNIB as Record<string, unknown>).nib;
  const nib = typeof nibValue === 'string' ? nibValue.trim() : typeof nibValue === 'number' ? String(nibValue) : '';
  if (nib === '') return rejected(400, 'dataNIB.nib kosong (dataNIB.nib missing)', { parsed });
  const check = verifyPushToken(token, deps.credentials!, nib, deps.now());
  if (!check.ok) return rejected(401, check.reason, { parsed, nib });
  // Normalized now, while the full identity numbers are in memory: the inbox keeps only hashes and masked forms.
  const { valid, rejected: invalid } = validateBusinesses([dataNIB], { piiKey: deps.piiKey });
  return {
    status: 'pending',
    httpStatus: 200,
    reason: null,
    nib,
    tokenOk: true,
    parsed,
    validated: { valid, rejected: invalid },
  };
}

export async function pushRoutes(app: FastifyInstance, deps: PushRouteDeps): Promise<void> {
  const log = deps.log.child({ component: 'receiveNIB' });

  const store = async (
    req: FastifyRequest,
    item: Omit<NewInboxItem, 'method' | 'remoteAddr'>,
  ): Promise<number | null> => {
    try {
      return await insertInboxItem(deps.db, { ...item, method: 'receiveNIB', remoteAddr: req.ip });
    } catch (err) {
      log.error({ err }, 'could not store a push in the inbox');
      return null;
    }
  };

  const unavailable = (reply: FastifyReply) =>
    reply
      .code(503)
      .send(answer('2', 'Gagal menyimpan data, silakan kirim ulang (could not store the push; send it again)'));

  // Read every push body as text ourselves: a body that is not JSON is still kept, and answered in the PIA shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const reason = tooLarge
      ? `Body melebihi ${PUSH_BODY_LIMIT} byte (body larger than the limit)`
      : `Permintaan tidak dapat dibaca (request could not be read: ${err.message})`;
    const id = await store(req, {
      nib: null,
      status: 'rejected',
      rejectReason: reason,
      tokenOk: false,
      bodyBytes: Number(req.headers['content-length'] ?? 0) || 0,
      payload: null,
      bodyText: null,
      validated: null,
    });
    deps.metrics.pushReceived('rejected');
    log.warn({ inboxId: id, reason, code: err.code }, 'push rejected');
    if (id === null) return unavailable(reply);
    return reply
      .code(tooLarge ? 413 : (err.statusCode ?? 400))
      .header('x-inbox-id', String(id))
      .send(answer('2', reason));
  });

  app.post('/receiveNIB', { bodyLimit: PUSH_BODY_LIMIT }, async (req, reply) => {
    if (!deps.credentials) {
      log.warn('push received but the receiver is off (OSS_PUSH_USERNAME/OSS_PUSH_PASSWORD not set)');
      return reply
        .code(404)
        .send(
          answer(
            '2',
            'Penerima receiveNIB tidak aktif (push receiver is off: OSS_PUSH_USERNAME and OSS_PUSH_PASSWORD are not set)',
          ),
        );
    }
    const raw = typeof req.body === 'string' ? req.body : '';
    const tokenHeader = req.headers.token;
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    const c = classify(deps, raw, token);
    const id = await store(req, {
      nib: c.nib,
      status: c.status,
      rejectReason: c.reason,
      tokenOk: c.tokenOk,
      bodyBytes: Buffer.byteLength(raw),
      payload: c.parsed === undefined ? null : safeRedact(c.parsed),
      bodyText: c.parsed === undefined && raw !== '' ? maskDigitRuns(raw.slice(0, BODY_TEXT_KEPT)) : null,
      validated: c.validated,
    });
    if (id === null) return unavailable(reply);
    reply.header('x-inbox-id', String(id));
    if (c.status === 'rejected') {
      deps.metrics.pushReceived('rejected');
      log.warn({ inboxId: id, nib: c.nib, reason: c.reason }, 'push rejected');
      return reply.code(c.httpStatus).send(answer('2', c.reason ?? 'Ditolak (rejected)'));
    }
    deps.metrics.pushReceived('accepted');
    log.info({ inboxId: id, nib: c.nib, invalid: c.validated?.rejected.length ?? 0 }, 'push stored');
    deps.onAccepted();
    return reply.code(200).send(answer('1', 'Berhasil menyimpan data'));
  });
}
