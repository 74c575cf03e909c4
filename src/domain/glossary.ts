/*
 * Glossary: the OSS RBA terms used across oss-sync (TypeScript identifiers are English, OSS field names stay Indonesian).
 *
 * - OSS RBA: Online Single Submission, Risk-Based Approach; the national licensing system.
 * - PIA: Pedoman Integrasi Aplikasi, the official OSS integration guide (methods inqueryNIB, checkLicenseStatus, receiveNIB).
 * - DPMPTSP: the regional investment and one-stop licensing office (our users), e.g. Kabupaten Rembang, region 3317.
 * - NIB (Nomor Induk Berusaha): 13-digit business identity number. A "pelaku usaha" (business actor) has one NIB.
 * - NPWP: tax number, 15 digits (old) or 16 (since 2024: "0" + old 15 for entities, the NIK for individuals).
 * - NIK: 16-digit personal identity number (KTP). Personal data: stored only hashed or masked.
 * - proyek: a business activity/location of a NIB, with a KBLI and a risk level (skala_resiko R, MR, MT, T).
 * - KBLI: 5-digit business classification code (KBLI 2020). Kept as a string: leading zeros matter (03111).
 * - perizinan / izin: a licence (checklist item, data_checklist) needed by a project; kd_status is its PIA status.
 * - kemitraan: a partnership agreement between a usaha besar (UB, large business) and an UMKM (micro, small, medium).
 * - realisasi: quarterly realisation of a partnership reported through LKPM.
 * - skala_usaha: 01 mikro, 02 kecil, 03 menengah, 04 besar.
 * - kd_daerah / *_daerah_id: 10-digit Kemendagri region code (2 province, 2 kabupaten, 2 kecamatan, 4 desa/kelurahan).
 * - kecamatan: sub-district; derived as the first 6 digits of a 10-digit region code.
 * - WIB: Waktu Indonesia Barat, UTC+7; OSS datetimes carry no offset and are WIB.
 * - temuan / finding: a discrepancy a regional verifier must check (rules in src/rules).
 * - stream: one sync unit: kemitraan (listKemitraan), nib (listNIB + inqueryNIB), izin (checkLicenseStatus).
 */
export const STREAMS = ['kemitraan', 'nib', 'izin'] as const;
/** One sync unit; each has its own checkpoint and counts. */
export type StreamName = (typeof STREAMS)[number];

export const ENTITY_TYPES = ['pelaku_usaha', 'proyek', 'perizinan', 'kemitraan'] as const;
/** The entity a finding or a history row is about. */
export type EntityType = (typeof ENTITY_TYPES)[number];

export const RUN_TRIGGERS = ['schedule', 'manual', 'push', 'import'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
