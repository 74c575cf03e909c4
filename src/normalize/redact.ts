/*
 * redactRaw: the copy of a wire payload that is stored (raw jsonb, rejections), with no full NIK in it.
 * Keys are matched as if trimmed and in lower case; the copy keeps them as received.
 */
import { emptyToNull, isWireObject, type WireObject } from './fields.js';
import { maskDigitsInside, maskIdentity, mayHoldNik } from './identity.js';

/** What happens to a field: copied, masked as an identity number, masked when an NPWP is a NIK, dropped. */
const Redaction = { Copy: 0, Identity: 1, Npwp: 2, Drop: 3 } as const;
type Redaction = (typeof Redaction)[keyof typeof Redaction];

/** Fields of the processing user that are kept: the identity number is masked, the rest is needed by rules. */
const USER_PROSES_KEPT = new Set([
  'jenis_id_user_proses',
  'no_id_user_proses',
  'nama_user_proses',
  'jns_kelamin_user_proses',
]);

function classify(key: string): Redaction {
  const k = key.trim().toLowerCase();
  if (
    k === 'nik' ||
    k.startsWith('nik_') ||
    k.endsWith('_nik') ||
    k.startsWith('no_identitas') ||
    k.startsWith('no_id_')
  ) {
    return Redaction.Identity;
  }
  if (k.startsWith('npwp') || k.endsWith('_npwp')) return Redaction.Npwp;
  if (k.endsWith('_user_proses') && !USER_PROSES_KEPT.has(k)) return Redaction.Drop;
  return Redaction.Copy;
}

const MAX_CACHED_KEYS = 10_000;
const classified = new Map<string, Redaction>();

function redactionOf(key: string): Redaction {
  // Fast exit for the common key: every redacted key starts with "n" or ends with "k" (…_nik), "p" (…_npwp) or "s"
  // (…_user_proses), in either case (| 32 lowers an ASCII letter), and a padded key starts or ends with a space.
  const first = key.charCodeAt(0) | 32;
  const last = key.charCodeAt(key.length - 1) | 32;
  const padded = key.charCodeAt(0) <= 32 || key.charCodeAt(key.length - 1) <= 32;
  if (!padded && first !== 110 && last !== 107 && last !== 112 && last !== 115) return Redaction.Copy;
  let r = classified.get(key);
  if (r === undefined) {
    r = classify(key);
    if (classified.size < MAX_CACHED_KEYS) classified.set(key, r);
  }
  return r;
}

const DIGIT_RUN_RE = /\d{16,}/g;
const NPWP_SEPARATORS_RE = /[.\-\s]/g;

function maskNpwpValue(v: unknown): unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return copy(v);
  const s = emptyToNull(v);
  if (s === null) return v;
  return mayHoldNik(s.replace(NPWP_SEPARATORS_RE, '')) ? maskDigitsInside(s) : v;
}

function maskIdentityValue(v: unknown): unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return copy(v);
  const masked = maskIdentity(v);
  return masked === null ? v : masked;
}

function copyObject(o: WireObject): WireObject {
  // Spread copies own properties with CreateDataProperty ("__proto__" stays a plain key); then only the nested values
  // and the fields to redact are rewritten. The loop walks the source, whose keys V8 has cached for its shape.
  const out: WireObject = { ...o };
  for (const k in o) {
    const r = redactionOf(k);
    if (r === Redaction.Copy) {
      const v = o[k];
      if (typeof v === 'object' && v !== null) out[k] = copy(v);
      else if (typeof v === 'string' && v.length >= 16) out[k] = maskLoneNiks(v);
    } else if (r === Redaction.Identity) out[k] = maskIdentityValue(o[k]);
    else if (r === Redaction.Npwp) out[k] = maskNpwpValue(o[k]);
    else delete out[k];
  }
  return out;
}

function copyArray(a: unknown[]): unknown[] {
  const out: unknown[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] =
      typeof v === 'object' && v !== null ? copy(v) : typeof v === 'string' && v.length >= 16 ? maskLoneNiks(v) : v;
  }
  return out;
}

/** A run of exactly 16 digits: the shape of a NIK (OSS ids hold longer runs, NIBs and phone numbers shorter ones). */
const LONE_NIK = /(?<!\d)\d{16}(?!\d)/;
const LONE_NIKS = new RegExp(LONE_NIK.source, 'g');

/** Free text (a note, an address) that quotes a NIK keeps it only masked. */
function maskLoneNiks(v: string): string {
  return LONE_NIK.test(v) ? v.replace(LONE_NIKS, maskDigitsInside) : v;
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return copyArray(v);
  if (isWireObject(v)) return copyObject(v);
  return v;
}

/**
 * A deep copy of a wire payload, safe to store:
 * - identity numbers (keys nik, nik_*, *_nik, no_identitas*, no_id_*: nik_umkm, no_identitas_pemegang_saham,
 *   no_identitas_penanggung_jwb, no_identitas_pj, no_id_user_proses) → masked ('3317********0002');
 * - NPWPs (keys npwp*, *_npwp) that are, or may hide, a NIK (16+ digits not of the form '0' + 15) → middle digits
 *   masked, separators kept; entity NPWPs stay as received;
 * - personal fields of the OSS user who processed the NIB (*_user_proses: birth date and place, address, phone, e-mail,
 *   religion, marital status, occupation, region) → dropped; jenis_id, no_id (masked), nama and jns_kelamin are kept;
 * - a run of exactly 16 digits (a NIK's shape) inside any other text field → masked, so free text quoting a NIK
 *   ("pemilik NIK 3317…") keeps no full NIK;
 * - a payload that is a bare string has any run of 16+ digits masked.
 * Unknown fields are kept. Never throws on JSON data.
 */
export function redactRaw(wire: unknown): unknown {
  if (typeof wire === 'string') return wire.replace(DIGIT_RUN_RE, maskDigitsInside);
  return copy(wire);
}
