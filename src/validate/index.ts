/*
 * validate/: normalize each wire record, check it against the zod schema of its normalized form, and sort it into
 * valid (normalized record + redacted raw) or rejected (entity id, redacted raw, every issue in wire terms).
 * Pure and total: never throws, never drops a record.
 */
import { z } from 'zod';
import type { Business, LicenceStatus, ListedNib, Partnership, Rejection, Validated } from '../domain/records.js';
import { normalizeBusiness } from '../normalize/business.js';
import type { NormalizeContext } from '../normalize/context.js';
import { isWireObject } from '../normalize/fields.js';
import { normalizeLicenceStatus, normalizeListedNib } from '../normalize/licence.js';
import { normalizePartnership } from '../normalize/partnership.js';
import { redactRaw } from '../normalize/redact.js';
import { notAnObjectIssue, toValidationIssue, unreadableIssue } from './issues.js';
import {
  BUSINESS_WIRE_KEYS,
  businessSchema,
  licenceStatusSchema,
  listedNibSchema,
  partnershipSchema,
} from './schemas.js';

export { EXPECTATIONS, type ExpectationKind } from './schemas.js';

/** How one family of records is normalized, checked and identified. */
interface Family<T> {
  normalize: (wire: unknown, ctx: NormalizeContext) => T;
  /** The schema: its runtime parser lists every issue of a record that fails. */
  schema: z.ZodType;
  /** The same schema compiled ahead of time (z.compile): its validate() answers the common, valid case fast. */
  compiled: z.ZodType;
  /** The record's id for Rejection.entity_id. */
  idOf: (record: T) => string | null;
  /** Normalized keys that have another name on the wire. */
  wireKeys?: Readonly<Record<string, string>>;
}

const NO_CONTEXT: NormalizeContext = Object.freeze({ piiKey: '' });

function safeRedact(wire: unknown): unknown {
  try {
    return redactRaw(wire);
  } catch {
    // Only a non-JSON value (a cycle) gets here; storing nothing is safer than storing it unredacted.
    return null;
  }
}

function orNull(s: string | null | undefined): string | null {
  return typeof s === 'string' && s !== '' ? s : null;
}

function validateAll<T>(wires: readonly unknown[], ctx: NormalizeContext, family: Family<T>): Validated<T> {
  const out: Validated<T> = { valid: [], rejected: [] };
  if (!Array.isArray(wires)) return out;
  for (let i = 0; i < wires.length; i++) {
    const wire: unknown = wires[i];
    const raw = safeRedact(wire);
    if (!isWireObject(wire)) {
      out.rejected.push({ entity_id: null, raw, issues: [notAnObjectIssue(raw)] });
      continue;
    }
    let rejection: Rejection | null = null;
    try {
      const record = family.normalize(wire, ctx);
      // Fast path: the compiled validator builds no output and no issues. Only a record it refuses pays for the runtime
      // parse that lists every issue (and the runtime has the last word, should the two ever disagree).
      if (family.compiled.validate(record)) {
        out.valid.push({ record, raw });
        continue;
      }
      const result = family.schema.safeParse(record);
      if (result.success) {
        out.valid.push({ record, raw });
        continue;
      }
      const issues = result.error.issues.map((issue) => toValidationIssue(issue, raw, family.wireKeys));
      rejection = { entity_id: family.idOf(record), raw, issues };
    } catch (err) {
      rejection = { entity_id: null, raw, issues: [unreadableIssue(raw, err)] };
    }
    out.rejected.push(rejection);
  }
  return out;
}

const PARTNERSHIPS: Family<Partnership> = {
  normalize: normalizePartnership,
  schema: partnershipSchema,
  compiled: z.compile(partnershipSchema),
  idOf: (r) => orNull(r.id_kemitraan),
};

const BUSINESSES: Family<Business> = {
  normalize: normalizeBusiness,
  schema: businessSchema,
  compiled: z.compile(businessSchema),
  idOf: (r) => orNull(r.nib),
  wireKeys: BUSINESS_WIRE_KEYS,
};

const LICENCE_STATUSES: Family<LicenceStatus> = {
  normalize: (wire) => normalizeLicenceStatus(wire),
  schema: licenceStatusSchema,
  compiled: z.compile(licenceStatusSchema),
  idOf: (r) => orNull(r.id_izin),
};

const LISTED_NIBS: Family<ListedNib> = {
  normalize: (wire) => normalizeListedNib(wire),
  schema: listedNibSchema,
  compiled: z.compile(listedNibSchema),
  idOf: (r) => orNull(r.nib),
};

/**
 * listKemitraan records → valid Partnerships and rejections. Invalid: empty id_kemitraan; tgl_perubahan not a valid
 * 'YYYY-MM-DD HH:II:SS'; a present tgl_kesepakatan/tgl_mulai/tgl_berakhir/tgl_pengajuan not a real date;
 * nilai_kemitraan/volume present but not numeric; status_kemitraan not 01–06; pola_kemitraan not in the table;
 * skala_usaha_umkm present but not 01–04; a realisasi entry with a non-integer tahun, a triwulan outside 1–4 or a
 * non-numeric amount.
 */
export function validatePartnerships(wires: readonly unknown[], ctx: NormalizeContext): Validated<Partnership> {
  return validateAll(wires, ctx, PARTNERSHIPS);
}

/**
 * dataNIB objects → valid Businesses and rejections. Invalid: empty nib, a present date that is not a real date,
 * a non-numeric amount or count, a data_proyek item without id_proyek, a data_checklist item without id_izin, a nested
 * item that is not an object, a nested list that is not a list.
 */
export function validateBusinesses(wires: readonly unknown[], ctx: NormalizeContext): Validated<Business> {
  return validateAll(wires, ctx, BUSINESSES);
}

/** checkLicenseStatus dataIZIN objects → valid LicenceStatuses and rejections. Invalid: empty id_izin. */
export function validateLicenceStatuses(wires: readonly unknown[]): Validated<LicenceStatus> {
  return validateAll(wires, NO_CONTEXT, LICENCE_STATUSES);
}

/** listNIB items → valid ListedNibs and rejections. Invalid: empty nib, tgl_perubahan_nib present and not a real date. */
export function validateListedNibs(wires: readonly unknown[]): Validated<ListedNib> {
  return validateAll(wires, NO_CONTEXT, LISTED_NIBS);
}
