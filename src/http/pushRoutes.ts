/*
 * POST /receiveNIB: the OSS push receiver (PIA contract). Every push is classified (pushBody.ts) and written to the
 * inbox before it is answered: a signed push in full, anything else as a bounded summary, so no push is silently
 * lost and none fills the disk. Rejections that do not prove to come from OSS are rate-limited per address; past the
 * limit they are answered 429 and only counted. The inbox worker applies accepted items.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../store/db.js';
import { insertInboxItem, isKnownNib } from '../store/inbox.js';
import {
  classifyPush,
  keptItem,
  outsideRegion,
  PUSH_BODY_LIMIT,
  PUSH_REJECT_CODES,
  type PushAnswer,
  type PushVerdict,
  type RejectedPush,
  tooLarge,
  unreadable,
} from './pushBody.js';

export interface PushRouteDeps {
  db: Db;
  log: Logger;
  metrics: Metrics;
  credentials: { username: string; password: string } | null;
  piiKey: string;
  now: () => Date;
  /** Called once an accepted push is stored (starts applying it). */
  onAccepted: () => void;
  /** The region (OSS_KD_DAERAH): a push for an unknown NIB outside it is answered "1" and not applied. */
  kdDaerah: string;
}

interface BucketSpec {
  capacity: number;
  /** One token comes back every refillMs. */
  refillMs: number;
}

export interface RejectionLimiterOptions {
  perAddress: BucketSpec;
  /** Across all addresses: many addresses (a botnet, an IPv6 range) cannot fill the disk either. */
  global: BucketSpec;
  /** Buckets kept at most (least recently used dropped first), so the limiter's memory is bounded too. */
  maxAddresses: number;
}

/**
 * 10 stored rejections per address, then one a minute; 100 across all addresses, then one every 10 s. A signed push
 * never takes a token, so OSS behind the same proxy as an attacker still gets through.
 */
const DEFAULT_REJECTION_LIMITS: RejectionLimiterOptions = {
  perAddress: { capacity: 10, refillMs: 60_000 },
  global: { capacity: 100, refillMs: 10_000 },
  maxAddresses: 10_000,
};

export type LimiterDecision =
  | { ok: true }
  | {
      ok: false;
      retryAfterS: number;
      scope: 'address' | 'all';
      /** The first refusal since this bucket last allowed one (log it once, not on every request of a flood). */
      first: boolean;
    };

export interface RejectionLimiter {
  /** Takes a token for one stored rejection from `address` at `nowMs`. */
  take(address: string, nowMs: number): LimiterDecision;
  /** Buckets held. */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
  refusing: boolean;
}

function refill(b: Bucket, spec: BucketSpec, nowMs: number): void {
  b.tokens = Math.min(spec.capacity, b.tokens + Math.max(0, nowMs - b.at) / spec.refillMs);
  b.at = nowMs;
}

function refuse(b: Bucket, spec: BucketSpec, scope: 'address' | 'all'): LimiterDecision {
  const first = !b.refusing;
  b.refusing = true;
  return { ok: false, retryAfterS: Math.max(1, Math.ceil(((1 - b.tokens) * spec.refillMs) / 1000)), scope, first };
}

export function createRejectionLimiter(opts: RejectionLimiterOptions = DEFAULT_REJECTION_LIMITS): RejectionLimiter {
  const buckets = new Map<string, Bucket>();
  let global: Bucket | null = null;
  return {
    take(address, nowMs) {
      let b = buckets.get(address);
      if (b) buckets.delete(address);
      else b = { tokens: opts.perAddress.capacity, at: nowMs, refusing: false };
      // Re-inserted last: the Map's order is then least recently used first.
      buckets.set(address, b);
      if (buckets.size > opts.maxAddresses) buckets.delete(buckets.keys().next().value as string);
      refill(b, opts.perAddress, nowMs);
      if (b.tokens < 1) return refuse(b, opts.perAddress, 'address');
      global ??= { tokens: opts.global.capacity, at: nowMs, refusing: false };
      refill(global, opts.global, nowMs);
      if (global.tokens < 1) return refuse(global, opts.global, 'all');
      b.tokens -= 1;
      b.refusing = false;
      global.tokens -= 1;
      global.refusing = false;
      return { ok: true };
    },
    size: () => buckets.size,
  };
}

/** The rate-limit bucket of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1] as string;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

type PiaAnswer = { responreceiveNIB: { status: '1' | '2'; keterangan: string } };

const pia = (a: Pick<PushAnswer, 'status' | 'keterangan'>): PiaAnswer => ({
  responreceiveNIB: { status: a.status, keterangan: a.keterangan },
});

export async function pushRoutes(app: FastifyInstance, deps: PushRouteDeps): Promise<void> {
  const log = deps.log.child({ component: 'receiveNIB' });
  const limiter = createRejectionLimiter();
  // Every reason starts at 0, so a rate() sees the first rejection.
  for (const reason of PUSH_REJECT_CODES) deps.metrics.pushRejected(reason, 0);

  const unavailable = (reply: FastifyReply) =>
    reply.code(503).send(
      pia({
        status: '2',
        keterangan: 'Gagal menyimpan data, silakan kirim ulang (could not store the push; send it again)',
      }),
    );

  /** Stores the verdict and answers it; 503 when it could not be stored, so OSS sends the push again. */
  const keepAndAnswer = async (req: FastifyRequest, reply: FastifyReply, v: PushVerdict) => {
    let id: number;
    try {
      id = await insertInboxItem(deps.db, { ...keptItem(v), method: 'receiveNIB', remoteAddr: req.ip });
    } catch (err) {
      log.error({ err }, 'could not store a push in the inbox');
      return unavailable(reply);
    }
    reply.header('x-inbox-id', String(id));
    if (v.kind === 'rejected') {
      deps.metrics.pushReceived('rejected');
      deps.metrics.pushRejected(v.code);
      // A push for another region is OSS doing its job, not a fault.
      const level = v.code === 'outside_region' ? 'info' : 'warn';
      log[level]({ inboxId: id, nib: v.nib, code: v.code, reason: v.reason, bytes: v.summary.bytes }, 'push rejected');
    } else {
      deps.metrics.pushReceived('accepted');
      log.info({ inboxId: id, nib: v.nib, invalid: v.validated.rejected.length }, 'push stored');
      deps.onAccepted();
    }
    return reply.code(v.answer.httpStatus).send(pia(v.answer));
  };

  /** An unauthenticated rejection: stored while the address (and everyone) has budget, otherwise 429 and counted. */
  const rejectUnauthenticated = async (req: FastifyRequest, reply: FastifyReply, v: RejectedPush) => {
    const decision = limiter.take(addressKey(req.ip), deps.now().getTime());
    if (decision.ok) return keepAndAnswer(req, reply, v);
    deps.metrics.pushRejected('rate_limited');
    if (decision.first) {
      log.warn(
        { remoteAddr: req.ip, code: v.code, scope: decision.scope, retryAfterS: decision.retryAfterS },
        'rejected pushes rate-limited: answered 429 and not stored until the budget refills',
      );
    }
    return reply
      .code(429)
      .header('retry-after', String(decision.retryAfterS))
      .send(
        pia({
          status: '2',
          keterangan:
            decision.scope === 'address'
              ? 'Terlalu banyak push yang ditolak dari alamat ini, coba lagi nanti (too many rejected pushes from this address)'
              : 'Terlalu banyak push yang ditolak, coba lagi nanti (too many rejected pushes)',
        }),
      );
  };

  // Every body is read as bytes ourselves: one that is not JSON (or not UTF-8) is still summarized and answered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PUSH_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    const v =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? tooLarge(declared)
        : unreadable(declared, err.statusCode ?? 400, err.message);
    return rejectUnauthenticated(req, reply, v);
  });

  app.post('/receiveNIB', { bodyLimit: PUSH_BODY_LIMIT }, async (req, reply) => {
    if (!deps.credentials) {
      log.warn('push received but the receiver is off (OSS_PUSH_USERNAME/OSS_PUSH_PASSWORD not set)');
      return reply.code(404).send(
        pia({
          status: '2',
          keterangan:
            'Penerima receiveNIB tidak aktif (push receiver is off: OSS_PUSH_USERNAME and OSS_PUSH_PASSWORD are not set)',
        }),
      );
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const tokenHeader = req.headers.token;
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    const kdDaerah = deps.kdDaerah ?? null;
    const v = classifyPush(body, token, {
      credentials: deps.credentials,
      piiKey: deps.piiKey,
      now: deps.now(),
      kdDaerah,
    });
    if (v.kind === 'rejected') return rejectUnauthenticated(req, reply, v);
    if (v.inRegion || kdDaerah === null) return keepAndAnswer(req, reply, v);
    let known: boolean;
    try {
      known = await isKnownNib(deps.db, v.nib);
    } catch (err) {
      log.error({ err }, 'could not look up a pushed NIB');
      return unavailable(reply);
    }
    return keepAndAnswer(req, reply, known ? v : outsideRegion(v, kdDaerah));
  });
}
