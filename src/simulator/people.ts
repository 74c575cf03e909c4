/*
 * Synthetic people and tax numbers. Every person has a unique index; the NIK is derived from it so that no two
 * people share a NIK by accident (a shared NIK between a UB and an UMKM is a planted PARTNER_AFFILIATED case).
 * NIK layout: PPKKCC (province, kabupaten, kecamatan) + DDMMYY (women: day + 40) + 4-digit serial.
 */
import { FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES } from './catalog.js';
import { hash32 } from './prng.js';
import { dayOf, dayParts } from './time.js';

export interface Person {
  index: number;
  name: string;
  female: boolean;
  nik: string;
  /** 6-digit kecamatan code the NIK was issued in. */
  kecamatan: string;
  birthDay: number;
}

const SERIALS = 9999;
const BIRTH_SPAN_DAYS = 14_600;
const BIRTH_START = dayOf(1962, 1, 1);

/** NIK with the given parts (used for planted invalid NIKs too). */
export function formatNik(kecamatan: string, birthDay: number, female: boolean, serial: number): string {
  const { year, month, dayOfMonth } = dayParts(birthDay);
  const dd = String(dayOfMonth + (female ? 40 : 0)).padStart(2, '0');
  return `${kecamatan}${dd}${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}${String(serial).padStart(4, '0')}`;
}

/** The person with a given index, registered in a kecamatan; the same (seed, index) always gives the same person. */
export function personAt(seed: number, index: number, kecamatan: string, forceFemale?: boolean): Person {
  const h = hash32(seed, 301, index);
  const female = forceFemale ?? (h & 1) === 1;
  const block = Math.floor(index / SERIALS);
  const serial = (index % SERIALS) + 1;
  // (block, serial) -> (birth date, serial) is injective while block < BIRTH_SPAN_DAYS: no duplicate NIKs.
  const dateIdx = (block + (serial - 1) * 7 + (seed % 977)) % BIRTH_SPAN_DAYS;
  const birthDay = BIRTH_START + dateIdx;
  const given = female ? FEMALE_NAMES[(h >>> 1) % FEMALE_NAMES.length] : MALE_NAMES[(h >>> 1) % MALE_NAMES.length];
  const family = FAMILY_NAMES[(h >>> 9) % FAMILY_NAMES.length];
  const name = family ? `${given} ${family}` : (given as string);
  return { index, name, female, nik: formatNik(kecamatan, birthDay, female, serial), kecamatan, birthDay };
}

/** A 15-digit NPWP body, unique per (namespace, n) for n < 10,000,000. */
export function npwp15(seed: number, namespace: number, n: number): string {
  const group = String((namespace * 10 + Math.floor(n / 1_000_000)) % 100).padStart(2, '0');
  const serial = String(n % 1_000_000).padStart(6, '0');
  const check = String(hash32(seed, 401, namespace, n) % 10);
  return `${group}${serial}${check}507000`;
}

/** The 16-digit entity NPWP ("0" + the 15-digit form). */
export function npwp16(seed: number, namespace: number, n: number): string {
  return `0${npwp15(seed, namespace, n)}`;
}

/** The dotted pre-2024 presentation XX.XXX.XXX.X-XXX.XXX of a 15-digit NPWP. */
export function dottedNpwp(d15: string): string {
  return `${d15.slice(0, 2)}.${d15.slice(2, 5)}.${d15.slice(5, 8)}.${d15.slice(8, 9)}-${d15.slice(9, 12)}.${d15.slice(12, 15)}`;
}

export function phoneFor(seed: number, n: number): string {
  const h = hash32(seed, 402, n);
  return `08${['12', '13', '52', '57', '77', '95'][h % 6]}${String(h % 100_000_000).padStart(8, '0')}`;
}

export function emailFor(name: string, n: number): string {
  const local = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
  return `${local}${n % 1000}@gmail.com`;
}
