import type { LicenceStatus, ListedNib } from '../domain/records.js';
import { emptyToNull, idOrCode, parseDate, readObject, type WireObject } from './fields.js';

const NO_FIELDS: WireObject = Object.freeze({});

/** A checkLicenseStatus dataIZIN object → LicenceStatus ("-" ids and codes → null). Never throws. */
export function normalizeLicenceStatus(wire: unknown): LicenceStatus {
  const o = readObject(wire) ?? NO_FIELDS;
  const placeholders: string[] = [];
  return {
    id_izin: idOrCode(o.id_izin, 'id_izin', placeholders) as string,
    nib: idOrCode(o.nib, 'nib', placeholders),
    id_proyek: idOrCode(o.id_proyek, 'id_proyek', placeholders),
    kd_status: idOrCode(o.kd_status, 'kd_status', placeholders),
    uraian_status: emptyToNull(o.uraian_status),
  };
}

/** A listNIB dataNIB[] item → ListedNib ("-" nib → null). Never throws. */
export function normalizeListedNib(wire: unknown): ListedNib {
  const o = readObject(wire) ?? NO_FIELDS;
  return {
    nib: idOrCode(o.nib, 'nib', []) as string,
    nama_perseroan: emptyToNull(o.nama_perseroan),
    tgl_perubahan_nib: parseDate(o.tgl_perubahan_nib),
  };
}
