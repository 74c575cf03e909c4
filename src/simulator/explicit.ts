/*
 * Explicitly built parts of a world: the usaha besar (UB) documents, and a builder for explicit businesses and
 * partnerships (story records, planted cases, controls, invalid records).
 */

import type { UbRef } from './base.js';
import { addressFor, capitalFor, PERSON_RANGE, termsFor, workersFor } from './base.js';
import type { Village } from './catalog.js';
import { FISHING_VILLAGES, OUTSIDE, SALT_VILLAGES, TOWN_VILLAGES, village } from './catalog.js';
import type { BusinessSpec, HolderSpec, LicenceSpec, PartyUb, PartyUmkm, Place, ProjectSpec } from './docs.js';
import { composeBusiness, composeKemitraan, noonOf, realisationFor } from './docs.js';
import type { Person } from './people.js';
import { npwp16, personAt } from './people.js';
import type { SectorCode, SizePlan, UbKind } from './plan.js';
import type { Rng } from './prng.js';
import { hash32, rngFor } from './prng.js';
import { DAY_S, dayStartSec, wibDay } from './time.js';
import type { SimDataNib, SimKemitraan, SimRealisasi } from './types.js';

export interface ExplicitBusinessOptions {
  nama: string;
  form: '17' | '02' | '26' | '07' | '01';
  skala: string;
  kbli: string;
  place: Place;
  namaKegiatan?: string;
  risk?: 'R' | 'MR' | 'MT' | 'T';
  licences?: LicenceSpec[];
  /** Capital of the (first) project; defaults to the middle of the scale's band. */
  capital?: number;
  /** More projects (UB stores); the first project is built from the options above. */
  moreProjects?: ProjectSpec[];
  projectPlace?: Place;
  statusNib?: string;
  flagUmk?: 'Y' | 'N';
  npwp?: string;
  statusPm?: '01' | '02';
  persenPma?: number;
  negaraPma?: string;
  holders?: HolderSpec[];
  owner?: Person;
  dni?: string[];
  pengajuanDay?: number;
  terbitDay?: number;
  perubahanDay?: number;
  kbliWire?: string;
  latLng?: string;
  modalDitempatkan?: number | null;
}

export interface BuiltBusiness {
  doc: SimDataNib;
  spec: BusinessSpec;
  owner: Person;
}

export interface ExplicitKemitraanOptions {
  ub: PartyUb;
  umkm: PartyUmkm;
  pola: string;
  sector: SectorCode;
  status: string;
  mulaiDay: number;
  berakhirDay: number | null;
  /** Days between signing and start (default 10). */
  signedBefore?: number;
  /** Submission instant; defaults to a few days after signing. */
  pengajuanSec?: number;
  perubahanSec?: number;
  nilai?: number;
  pelaksanaan: string;
  realisasi?: SimRealisasi[];
  idSec?: number;
  volume?: number;
}

const MIDDLE_CAPITAL: Record<string, number> = { '01': 350e6, '02': 2.8e9, '03': 7.4e9, '04': 24e9 };

/** Builds explicit businesses and partnerships with unique ids, NIBs and people. */
export class ExplicitBuilder {
  readonly seed: number;
  readonly nowSec: number;
  readonly nowDay: number;
  private businessCount = 0;
  private personCount = 0;
  private kemitraanCount = 0;
  private readonly usedNibs = new Set<string>();
  readonly businesses: BuiltBusiness[] = [];
  readonly partnerships: SimKemitraan[] = [];

  constructor(seed: number, nowSec: number) {
    this.seed = seed;
    this.nowSec = nowSec;
    this.nowDay = wibDay(nowSec);
  }

  rng(stream: number, n = 0): Rng {
    return rngFor(this.seed, 700 + stream, n);
  }

  /** A NIB from the OSS 1.x range (8120…), never used before and never a base NIB (those start 912…). */
  freshNib(): string {
    let n = 0;
    for (;;) {
      const nib = `8120${String(hash32(this.seed, 701, this.usedNibs.size, n) % 1_000_000_000).padStart(9, '0')}`;
      if (!this.usedNibs.has(nib)) {
        this.usedNibs.add(nib);
        return nib;
      }
      n++;
    }
  }

  person(kecamatan: string, opts: { female?: boolean; name?: string } = {}): Person {
    const p = personAt(this.seed, PERSON_RANGE.explicit + this.personCount++, kecamatan, opts.female);
    return opts.name ? { ...p, name: opts.name } : p;
  }

  /** Days before "now" as a day number. */
  day(ago: number): number {
    return this.nowDay - ago;
  }

  business(o: ExplicitBusinessOptions): BuiltBusiness {
    const e = this.businessCount++;
    const rng = this.rng(2, e);
    const individual = o.form === '17';
    const owner = o.owner ?? this.person(o.place.code.slice(0, 6));
    const perubahanDay = o.perubahanDay ?? this.day(rng.between(30, 400));
    const pengajuanDay = o.pengajuanDay ?? perubahanDay - rng.between(100, 900);
    const terbitDay = o.terbitDay ?? pengajuanDay;
    const capital = o.capital ?? MIDDLE_CAPITAL[o.skala] ?? MIDDLE_CAPITAL['01']!;
    const [workersL, workersP] = workersFor(o.skala, rng);
    const risk = o.risk ?? 'R';
    const projectPlace = o.projectPlace ?? o.place;
    const first: ProjectSpec = {
      kbli: o.kbli,
      skala: o.skala,
      risk,
      place: projectPlace,
      namaKegiatan: o.namaKegiatan ?? o.nama,
      capital,
      land: individual ? 0 : Math.round(capital * 0.08),
      building: Math.round(capital * 0.12),
      workersL,
      workersP,
      licences:
        o.licences ??
        (risk === 'R'
          ? []
          : [{ jenis: '04', kdStatus: '50', flag: risk === 'MR' ? 'O' : 'Y', nama: '', kewenangan: '02' }]),
      address: addressFor(projectPlace, rng),
    };
    if (o.kbliWire !== undefined) first.kbliWire = o.kbliWire;
    if (o.latLng !== undefined) first.latLng = o.latLng;
    const projects = [first, ...(o.moreProjects ?? [])];
    const totalCapital = projects.reduce((s, p) => s + p.capital, 0);
    const modal =
      o.modalDitempatkan !== undefined ? o.modalDitempatkan : individual ? null : Math.round(totalCapital / 1e6) * 1e6;
    const base = 500 + (e % 40) * 12;
    const spec: BusinessSpec = {
      nib: this.freshNib(),
      ids: {
        sec: dayStartSec(pengajuanDay) + 8 * 3600 + rng.int(6 * 3600),
        sss: (k) => Math.min(999, base + k),
        dddd: 5_000 + e,
      },
      pengajuanDay,
      terbitDay,
      perubahanDay,
      jenisPelaku: individual ? '02' : '01',
      jenisPerseroan: o.form,
      statusPm: o.statusPm ?? '02',
      skala: o.skala,
      flagUmk: o.flagUmk ?? (o.skala === '01' || o.skala === '02' ? 'Y' : 'N'),
      nama: o.nama,
      npwp: o.npwp ?? (individual ? owner.nik : npwp16(this.seed, 3, e)),
      place: o.place,
      address: addressFor(o.place, rng),
      rtRw: `00${rng.between(1, 9)}/00${rng.between(1, 9)}`,
      modalDitempatkan: modal,
      modalDasar: modal,
      persenPma: o.persenPma ?? 0,
      negaraPma: o.negaraPma ?? '',
      statusNib: o.statusNib ?? '01',
      owner,
      holders: o.holders ?? (individual || o.form === '07' ? [] : [{ person: owner, jabatan: 'DIREKTUR', share: 1 }]),
      persons: [{ person: owner, jabatan: individual ? 'PEMILIK' : o.form === '07' ? 'KETUA' : 'DIREKTUR' }],
      projects,
      dni: o.dni ?? [],
      phoneSeed: this.seed,
    };
    const built = { doc: composeBusiness(spec), spec, owner };
    this.businesses.push(built);
    return built;
  }

  /** The partnership party view of an explicit business. */
  umkmOf(b: BuiltBusiness, skalaDeclared?: string): PartyUmkm {
    const proyek = b.doc.data_proyek[0];
    return {
      nib: b.doc.nib,
      nama: b.doc.nama_perseroan,
      kbli: proyek?.kbli ?? '',
      nik: '',
      skala: skalaDeclared ?? b.doc.skala_usaha,
    };
  }

  /** A partner without NIB: an individual (fisherman, salt farmer) identified by NIK. */
  nikPartner(
    kind: 'fish' | 'salt',
    opts: { female?: boolean } = {},
  ): { party: PartyUmkm; place: Village; person: Person } {
    const villages = kind === 'fish' ? FISHING_VILLAGES : SALT_VILLAGES;
    const place = villages[(this.personCount * 7) % villages.length] as Village;
    const person = this.person(place.kecamatan, opts);
    return {
      party: { nib: '', nama: person.name, kbli: kind === 'fish' ? '03111' : '08930', nik: person.nik, skala: '01' },
      place,
      person,
    };
  }

  kemitraan(o: ExplicitKemitraanOptions): SimKemitraan {
    const e = this.kemitraanCount++;
    const rng = this.rng(3, e);
    const kesepakatanDay = o.mulaiDay - (o.signedBefore ?? 10);
    const pengajuanSec =
      o.pengajuanSec ?? Math.min(this.nowSec - 6 * 3600, noonOf(kesepakatanDay + 3) + rng.int(4 * 3600));
    const perubahanSec =
      o.perubahanSec ?? Math.min(this.nowSec - 3 * 3600, pengajuanSec + rng.between(1, 20) * DAY_S + rng.int(3600));
    const terms = termsFor(o.sector, o.umkm.kbli, o.ub, rng);
    const spec = {
      pengajuanSec,
      idSss: e % 1000,
      idDddd: 5_000 + Math.floor(e / 1000),
      perubahanSec,
      ub: o.ub,
      umkm: o.umkm,
      pola: o.pola,
      objek: terms.objek,
      volume: o.volume ?? terms.volume,
      satuan: terms.satuan,
      periode: 'bulan' as const,
      nilai: o.nilai ?? (o.umkm.skala === '01' ? 600e6 : o.umkm.skala === '02' ? 4e9 : 15e9),
      kesepakatanDay,
      mulaiDay: o.mulaiDay,
      berakhirDay: o.berakhirDay,
      status: o.status,
      pelaksanaan: o.pelaksanaan,
    };
    const full = {
      ...spec,
      ...(o.idSec !== undefined ? { idSec: o.idSec } : {}),
      ...(o.realisasi !== undefined ? { realisasi: o.realisasi } : {}),
    };
    const rec = composeKemitraan(full, rng, this.nowDay);
    this.partnerships.push(rec);
    return rec;
  }

  /** Realisation for explicit records, same rules as base records. */
  realisation(
    n: number,
    spec: { mulaiDay: number; berakhirDay: number | null; nilai: number; volume: number; satuan: string },
    factor = 1,
  ): SimRealisasi[] {
    return realisationFor(this.rng(4, n), { ...spec, periode: 'bulan' }, this.nowDay, factor);
  }
}

const RETAIL = [
  { nama: 'PT SUMBER ALFA TRIJAYA TBK', abbr: 'SAT', hq: OUTSIDE.jakartaBarat },
  { nama: 'PT INDOMARCO PRISMA UTAMA', abbr: 'IPU', hq: OUTSIDE.jakartaUtara },
  { nama: 'PT MIDI RITEL NUSANTARA', abbr: 'MRN', hq: OUTSIDE.jakartaBarat },
  { nama: 'PT PANTURA MART SEJAHTERA', abbr: 'PMS', hq: OUTSIDE.semarang },
  { nama: 'PT RITEL MANDIRI JAWA', abbr: 'RMJ', hq: OUTSIDE.semarang },
  { nama: 'PT GRAHA SWALAYAN INDONESIA', abbr: 'GSI', hq: OUTSIDE.jakartaUtara },
  { nama: 'PT SINAR MART UTAMA', abbr: 'SMU', hq: OUTSIDE.surabaya },
  { nama: 'PT BUMI RITEL PERKASA', abbr: 'BRP', hq: OUTSIDE.semarang },
  { nama: 'PT CAHAYA SWALAYAN ABADI', abbr: 'CSA', hq: OUTSIDE.surabaya },
  { nama: 'PT DUTA MINIMARKET NUSANTARA', abbr: 'DMN', hq: OUTSIDE.jakartaBarat },
];

const FISH = [
  { nama: 'PT SAMUDRA REMBANG LESTARI', abbr: 'SRL', kbli: '10213', place: '3317102025' },
  { nama: 'PT MINA PANTURA PERKASA', abbr: 'MPP', kbli: '10214', place: '3317122012' },
  { nama: 'PT LAUT JAWA INDAH', abbr: 'LJI', kbli: '10211', place: '3317052023' },
  { nama: 'PT BAHARI LASEM MAKMUR', abbr: 'BLM', kbli: '10213', place: '3317142008' },
  { nama: 'PT SEGARA KRAGAN UTAMA', abbr: 'SKU', kbli: '10214', place: '3317122024' },
  { nama: 'PT TASIKAGUNG FROZEN FOOD', abbr: 'TFF', kbli: '10213', place: '3317102025' },
  { nama: 'PT SARANG MINA INDUSTRI', abbr: 'SMI', kbli: '10211', place: '3317052020' },
  { nama: 'PT JUWANA REMBANG SEAFOOD', abbr: 'JRS', kbli: '10213', place: '3317132010' },
  { nama: 'PT PANTAI UTARA PERIKANAN', abbr: 'PUP', kbli: '10214', place: '3317132012' },
  { nama: 'PT DAMPO AWANG MARINE', abbr: 'DAM', kbli: '10213', place: '3317102034' },
];
const FISH_LICENCE_STATUS = ['45', '10', '50', '20', '50', '12', '50', '45', '50', '50'];

const SALT = [
  { nama: 'PT GARAM LASEM SEJAHTERA', abbr: 'GLS', place: '3317142017' },
  { nama: 'PT KALIORI SALT INDUSTRI', abbr: 'KSI', place: '3317092005' },
  { nama: 'PT GARAM PANTURA NUSANTARA', abbr: 'GPN', place: '3317102034' },
  { nama: 'PT SUMBER GARAM JAWA TENGAH', abbr: 'SGJ', place: '3317092003' },
];
const SALT_LICENCE_STATUS = ['57', '45', '50', '50'];

const CEMENT = [
  { nama: 'PT SEMEN KENDENG INDONESIA', abbr: 'SKI', place: '3317032006', hq: OUTSIDE.surabaya },
  { nama: 'PT SEMEN GUNEM PERKASA', abbr: 'SGP', place: '3317032009', hq: OUTSIDE.semarang },
];

export interface BuiltUb {
  ref: UbRef;
  built: BuiltBusiness;
}

function ubHolders(
  b: ExplicitBuilder,
  kecamatan: string,
  extra?: HolderSpec,
): { holders: HolderSpec[]; owner: Person } {
  const owner = b.person(kecamatan);
  const second = b.person(kecamatan);
  const holders: HolderSpec[] = [
    { person: owner, jabatan: 'DIREKTUR UTAMA', share: extra ? 0.4 : 0.6 },
    { person: second, jabatan: 'KOMISARIS', share: 0.3 },
  ];
  if (extra) holders.push(extra);
  else holders[1] = { person: second, jabatan: 'KOMISARIS', share: 0.4 };
  return { holders, owner };
}

/** The u-th retail chain: a head office outside the region and one project per store in its towns. */
function retailUb(b: ExplicitBuilder, rng: Rng, plan: SizePlan, u: number): BuiltUb {
  const t = RETAIL[u % RETAIL.length]!;
  const stores: ProjectSpec[] = [];
  for (let s = 0; s < plan.storesPerRetailer; s++) {
    const place = TOWN_VILLAGES[(u * 5 + s * 3) % TOWN_VILLAGES.length]!;
    const capital = capitalFor('04', rng);
    stores.push({
      kbli: '47111',
      skala: '04',
      risk: 'MR',
      place,
      namaKegiatan: `${t.abbr === 'SAT' ? 'ALFA' : t.abbr === 'IPU' ? 'INDO' : t.abbr} MART ${place.name.toUpperCase()}`,
      capital,
      land: Math.round(capital * 0.1),
      building: Math.round(capital * 0.15),
      workersL: rng.between(4, 10),
      workersP: rng.between(6, 14),
      licences: [{ jenis: '04', kdStatus: '50', flag: 'O', nama: '', kewenangan: '02' }],
      address: addressFor(place, rng),
    });
  }
  const [first, ...rest] = stores;
  const { holders, owner } = ubHolders(b, t.hq.code.slice(0, 6));
  const built = b.business({
    nama: t.nama,
    form: '01',
    skala: '04',
    kbli: '47111',
    place: t.hq,
    projectPlace: first!.place,
    namaKegiatan: first!.namaKegiatan,
    risk: 'MR',
    capital: first!.capital,
    moreProjects: rest,
    holders,
    owner,
    dni: ['115'],
    pengajuanDay: b.day(1_500 + u * 40),
    perubahanDay: b.day(20 + u * 9),
  });
  const projects = built.doc.data_proyek;
  const storeRefs = projects.map((p) => ({
    id: p.id_proyek,
    place: village(p.data_lokasi_proyek[0]!.proyek_daerah_id),
  }));
  return {
    built,
    ref: {
      kind: 'retail',
      nib: built.doc.nib,
      nama: t.nama,
      abbr: t.abbr,
      kbli: '47111',
      mainProject: storeRefs[0]!,
      stores: storeRefs,
    },
  };
}

/** The u-th fish processor (the second one is PMA). */
function fishUb(b: ExplicitBuilder, rng: Rng, u: number): BuiltUb {
  const t = FISH[u % FISH.length]!;
  const place = village(t.place);
  const pma = u === 1;
  const { holders, owner } = ubHolders(
    b,
    place.kecamatan,
    pma
      ? {
          foreign: { name: 'HIROSHI TANAKA', passport: 'TZ4417283', country: 'JPN' },
          jabatan: 'KOMISARIS',
          share: 0.3,
        }
      : undefined,
  );
  const built = b.business({
    nama: t.nama,
    form: '01',
    skala: '04',
    kbli: t.kbli,
    place,
    namaKegiatan: `PABRIK ${t.kbli === '10213' ? 'PEMBEKUAN IKAN' : t.kbli === '10214' ? 'PEMINDANGAN IKAN' : 'PENGOLAHAN IKAN ASIN'}`,
    risk: 'MT',
    capital: capitalFor('04', rng),
    licences: [
      {
        jenis: '04',
        kdStatus: FISH_LICENCE_STATUS[u % FISH_LICENCE_STATUS.length]!,
        flag: 'Y',
        nama: '',
        kewenangan: '02',
      },
    ],
    holders,
    owner,
    dni: ['111'],
    statusPm: pma ? '01' : '02',
    persenPma: pma ? 30 : 0,
    negaraPma: pma ? 'JPN' : '',
    pengajuanDay: b.day(1_400 + u * 30),
    perubahanDay: b.day(45 + u * 11),
  });
  return { built, ref: ubRef('fish', built, t.abbr) };
}

/** The u-th salt processor. */
function saltUb(b: ExplicitBuilder, rng: Rng, u: number): BuiltUb {
  const t = SALT[u % SALT.length]!;
  const place = village(t.place);
  const { holders, owner } = ubHolders(b, place.kecamatan);
  const built = b.business({
    nama: t.nama,
    form: '01',
    skala: '04',
    kbli: '10774',
    place,
    namaKegiatan: 'PABRIK GARAM BERYODIUM',
    risk: 'MT',
    capital: capitalFor('04', rng),
    licences: [
      {
        jenis: '04',
        kdStatus: SALT_LICENCE_STATUS[u % SALT_LICENCE_STATUS.length]!,
        flag: 'Y',
        nama: '',
        kewenangan: '02',
      },
    ],
    holders,
    owner,
    pengajuanDay: b.day(1_300 + u * 50),
    perubahanDay: b.day(60 + u * 13),
  });
  return { built, ref: ubRef('salt', built, t.abbr) };
}

/** The u-th cement plant (head office outside the region). */
function cementUb(b: ExplicitBuilder, rng: Rng, u: number): BuiltUb {
  const t = CEMENT[u % CEMENT.length]!;
  const place = village(t.place);
  const { holders, owner } = ubHolders(b, t.hq.code.slice(0, 6));
  const built = b.business({
    nama: t.nama,
    form: '01',
    skala: '04',
    kbli: '23941',
    place: t.hq,
    projectPlace: place,
    namaKegiatan: 'PABRIK SEMEN REMBANG',
    risk: 'T',
    capital: Math.round(rng.real(2e12, 4e12) / 1e9) * 1e9,
    licences: [
      {
        jenis: '01',
        kdStatus: '50',
        flag: 'Y',
        nama: 'Persetujuan Kesesuaian Kegiatan Pemanfaatan Ruang',
        kewenangan: '00',
      },
      { jenis: '02', kdStatus: '50', flag: 'Y', nama: 'Izin Usaha Industri Semen', kewenangan: '00' },
      { jenis: '04', kdStatus: '45', flag: 'Y', nama: 'Sertifikat Standar Industri Semen', kewenangan: '00' },
    ],
    holders,
    owner,
    pengajuanDay: b.day(1_700 + u * 60),
    perubahanDay: b.day(75 + u * 17),
  });
  return { built, ref: ubRef('cement', built, t.abbr) };
}

/** Builds the usaha besar documents of a world (retail chains, fish processors, salt processors, cement). */
export function buildUbs(b: ExplicitBuilder, plan: SizePlan): Record<UbKind, BuiltUb[]> {
  const out: Record<UbKind, BuiltUb[]> = { retail: [], fish: [], salt: [], cement: [] };
  // One random stream for all of them, drawn in this order.
  const rng = b.rng(10);
  for (let u = 0; u < plan.ubs.retail; u++) out.retail.push(retailUb(b, rng, plan, u));
  for (let u = 0; u < plan.ubs.fish; u++) out.fish.push(fishUb(b, rng, u));
  for (let u = 0; u < plan.ubs.salt; u++) out.salt.push(saltUb(b, rng, u));
  for (let u = 0; u < plan.ubs.cement; u++) out.cement.push(cementUb(b, rng, u));
  return out;
}

function ubRef(kind: UbKind, built: BuiltBusiness, abbr: string): UbRef {
  const p = built.doc.data_proyek[0]!;
  const main = { id: p.id_proyek, place: village(p.data_lokasi_proyek[0]!.proyek_daerah_id) };
  return {
    kind,
    nib: built.doc.nib,
    nama: built.doc.nama_perseroan,
    abbr,
    kbli: p.kbli,
    mainProject: main,
    stores: [],
  };
}

/** The UB side of a partnership. */
export function ubParty(ref: UbRef, projectId?: string): PartyUb {
  return { nib: ref.nib, nama: ref.nama, kbli: ref.kbli, idProyek: projectId ?? ref.mainProject.id, abbr: ref.abbr };
}

/** The UB side of a partnership with an explicit (non-story) UB business. */
export function ubPartyOf(built: BuiltBusiness, abbr: string): PartyUb {
  const p = built.doc.data_proyek[0]!;
  return { nib: built.doc.nib, nama: built.doc.nama_perseroan, kbli: p.kbli, idProyek: p.id_proyek, abbr };
}
