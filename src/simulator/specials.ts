/*
 * The explicit part of a world: story partnerships (every UB has at least one running partnership in the region),
 * one or more planted case per discrepancy rule, near-miss controls, structurally invalid records, and a couple of
 * partnerships outside the region. Also the "fixables": how mutate() can fix a planted case or change its evidence.
 */

import { OUTSIDE, village } from './catalog.js';
import type { PartyUmkm } from './docs.js';
import { noonOf } from './docs.js';
import type { BuiltUb, ExplicitBuilder } from './explicit.js';
import { ubParty, ubPartyOf } from './explicit.js';
import { dottedNpwp, npwp15, npwp16 } from './people.js';
import type { UbKind } from './plan.js';
import { DAY_S, dayParts, dayToDate } from './time.js';
import type { ControlCase, InvalidRecord, PlantedCase, SimDataNib, SimKemitraan, SimRealisasi } from './types.js';

/** What a mutation changed, by entity. */
export interface ChangeSet {
  partnerships: string[];
  nibs: string[];
  licences: string[];
}

/** The operations mutate() uses; implemented by the world. */
export interface WorldMutator {
  readonly nowDay: number;
  updatePartnership(id: string, apply: (rec: SimKemitraan) => void): boolean;
  updateBusiness(nib: string, apply: (doc: SimDataNib) => void): boolean;
  setLicenceStatus(idIzin: string, kdStatus: string, uraian: string): boolean;
}

/** A planted case that mutate() can fix (the rule stops firing) or whose evidence it can change (still firing). */
export interface Fixable {
  planted: PlantedCase;
  fix?: (m: WorldMutator) => ChangeSet;
  change?: (m: WorldMutator) => ChangeSet;
}

export interface Specials {
  planted: PlantedCase[];
  controls: ControlCase[];
  invalid: InvalidRecord[];
  fixables: Fixable[];
  /** Ids of explicit records that random mutations must leave alone. */
  reservedIds: Set<string>;
}

const sumValue = (r: readonly SimRealisasi[]) => r.reduce((s, x) => s + Number(x.nilai_realisasi), 0);

function scaleRealisation(r: SimRealisasi[], factor: number): SimRealisasi[] {
  return r.map((x) => ({
    ...x,
    nilai_realisasi: String(Math.round((Number(x.nilai_realisasi) * factor) / 1000) * 1000),
  }));
}

const onlyPartnership = (id: string): ChangeSet => ({ partnerships: [id], nibs: [], licences: [] });
const onlyNib = (nib: string): ChangeSet => ({ partnerships: [], nibs: [nib], licences: [] });

/** A fix/change that edits a partnership. */
const editK =
  (id: string, apply: (rec: SimKemitraan) => void) =>
  (m: WorldMutator): ChangeSet => {
    m.updatePartnership(id, apply);
    return onlyPartnership(id);
  };

/** A fix/change that edits a NIB document. */
const editNib =
  (nib: string, apply: (doc: SimDataNib) => void) =>
  (m: WorldMutator): ChangeSet => {
    m.updateBusiness(nib, apply);
    return onlyNib(nib);
  };

function setCapital(doc: SimDataNib, capital: number): void {
  const p = doc.data_proyek[0];
  if (!p) return;
  const lain = Math.round(capital * 0.1);
  const mesin = Math.round(capital * 0.4);
  const kerja = capital - lain - mesin;
  const sub = Number(p.pembelian_pematang_tanah) + Number(p.bangunan_gedung) + mesin + lain;
  p.mesin_peralatan = String(mesin);
  p.investasi_lain = String(lain);
  p.modal_kerja = String(kerja);
  p.sub_jumlah = String(sub);
  p.jumlah_investasi = String(sub + kerja);
}

export function buildSpecials(b: ExplicitBuilder, ubs: Record<UbKind, BuiltUb[]>): Specials {
  const planted: PlantedCase[] = [];
  const controls: ControlCase[] = [];
  const invalid: InvalidRecord[] = [];
  const fixables: Fixable[] = [];
  const reservedIds = new Set<string>();
  const d = (ago: number) => b.day(ago);
  const R0 = ubs.retail[0]!;
  const R1 = ubs.retail[1] ?? R0;
  const F0 = ubs.fish[0]!;
  const F1 = ubs.fish[1] ?? F0;
  const S0 = ubs.salt[0]!;
  const C0 = ubs.cement[0]!;
  const store0 = R0.ref.stores[0]!;
  const store1 = R1.ref.stores[0]!;
  const retail0 = (id?: string) => ubParty(R0.ref, id ?? store0.id);
  const retail1 = () => ubParty(R1.ref, store1.id);
  const plant = (p: PlantedCase): PlantedCase => {
    planted.push(p);
    reservedIds.add(p.entity_id);
    return p;
  };
  const control = (c: ControlCase) => {
    controls.push(c);
    reservedIds.add(c.entity_id);
  };

  // Story: every UB gets at least one running partnership in the region (BUPM partnership requirements are met).
  const kud = b.business({
    nama: 'KUD MINA SARI TASIKAGUNG',
    form: '07',
    skala: '02',
    kbli: '03111',
    place: village('3317102025'),
    statusNib: '03',
  });
  const garam = b.business({
    nama: 'CV GARAM SUMBER REJEKI',
    form: '02',
    skala: '01',
    kbli: '08930',
    place: village('3317092005'),
  });
  const siti = b.person('331710', { female: true, name: 'SITI AMINAH' });
  const buSiti = b.business({
    nama: siti.name,
    form: '17',
    owner: siti,
    namaKegiatan: 'UD. KERUPUK IKAN BU SITI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102025'),
  });
  const angkutan = b.business({
    nama: 'CV ANGKUTAN KENDENG JAYA',
    form: '02',
    skala: '02',
    kbli: '49431',
    risk: 'MR',
    place: village('3317032003'),
    statusNib: '04',
  });
  const story: Record<UbKind, SimKemitraan[]> = { retail: [], fish: [], salt: [], cement: [] };
  ubs.fish.forEach((f, n) => {
    story.fish.push(
      b.kemitraan({
        ub: ubParty(f.ref),
        umkm: b.umkmOf(kud),
        pola: '06',
        sector: 'B',
        status: '03',
        mulaiDay: d(420 + n * 10),
        berakhirDay: d(-330),
        pelaksanaan: kud.doc.perseroan_daerah_id,
      }),
    );
  });
  ubs.salt.forEach((s, n) => {
    story.salt.push(
      b.kemitraan({
        ub: ubParty(s.ref),
        umkm: b.umkmOf(garam),
        pola: '06',
        sector: 'D',
        status: '03',
        mulaiDay: d(380 + n * 10),
        berakhirDay: n === 0 ? null : d(-400),
        pelaksanaan: garam.doc.perseroan_daerah_id,
      }),
    );
  });
  ubs.retail.forEach((r, n) => {
    const store = r.ref.stores[0]!;
    story.retail.push(
      b.kemitraan({
        ub: ubParty(r.ref, store.id),
        umkm: b.umkmOf(buSiti),
        pola: '04',
        sector: 'G',
        status: '03',
        mulaiDay: d(500 + n * 7),
        berakhirDay: d(-330),
        pelaksanaan: store.place.code,
      }),
    );
  });
  ubs.cement.forEach((c, n) => {
    story.cement.push(
      b.kemitraan({
        ub: ubParty(c.ref),
        umkm: b.umkmOf(angkutan),
        pola: '10',
        sector: 'H',
        status: '03',
        mulaiDay: d(600 + n * 20),
        berakhirDay: d(-500),
        pelaksanaan: angkutan.doc.perseroan_daerah_id,
      }),
    );
  });
  for (const list of Object.values(story)) for (const k of list) reservedIds.add(k.id_kemitraan);

  // ---- Planted: identity and format ----
  const notFoundNib = b.freshNib();
  const p1 = b.kemitraan({
    ub: retail0(),
    umkm: { nib: notFoundNib, nama: 'UD KERUPUK TENGGIRI JAYA', kbli: '10794', nik: '', skala: '01' },
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(260),
    berakhirDay: d(-470),
    pelaksanaan: store0.place.code,
  });
  plant({
    rule: 'PARTNER_NIB_NOT_FOUND',
    entity_type: 'kemitraan',
    entity_id: p1.id_kemitraan,
    note: `nib_umkm ${notFoundNib} does not exist: inqueryNIB answers kode 400 "Data NIB tidak ditemukan"`,
  });

  const p2 = b.kemitraan({
    ub: retail1(),
    umkm: { nib: '912000123456', nama: 'UD KERIPIK SUKUN MAKMUR', kbli: '10794', nik: '', skala: '01' },
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(230),
    berakhirDay: d(-500),
    pelaksanaan: store1.place.code,
  });
  plant({
    rule: 'NIB_FORMAT',
    entity_type: 'kemitraan',
    entity_id: p2.id_kemitraan,
    note: 'nib_umkm "912000123456" has 12 digits',
    alsoMayFire: ['PARTNER_NIB_NOT_FOUND'],
  });

  const p3 = b.business({
    nama: 'CV SINAR BAHARI REMBANG',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317101019'),
    npwp: '01.234.567.8-507',
  });
  plant({
    rule: 'NPWP_FORMAT',
    entity_type: 'pelaku_usaha',
    entity_id: p3.doc.nib,
    note: 'npwp_perseroan "01.234.567.8-507" has 12 digits after stripping',
  });

  const sharedNpwp = npwp16(b.seed, 4, 1);
  const p4a = b.business({
    nama: 'CV TIRTA SEGORO',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317122022'),
    npwp: dottedNpwp(sharedNpwp.slice(1)),
    perubahanDay: d(900),
    pengajuanDay: d(1_600),
  });
  const p4b = b.business({
    nama: 'CV TIRTA SEGORO',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317122022'),
    npwp: sharedNpwp,
    perubahanDay: d(200),
    pengajuanDay: d(800),
  });
  for (const x of [p4a, p4b]) {
    plant({
      rule: 'NPWP_MULTI_NIB',
      entity_type: 'pelaku_usaha',
      entity_id: x.doc.nib,
      note: `NPWP ${sharedNpwp} has two active NIBs (${p4a.doc.nib}, ${p4b.doc.nib}), an OSS 1.1 migration leftover`,
    });
  }

  const badNik = '3317101513850007';
  const p5party = b.nikPartner('fish');
  const p5 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: { ...p5party.party, nik: badNik },
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(300),
    berakhirDay: d(-430),
    pelaksanaan: p5party.place.code,
  });
  plant({ rule: 'NIK_INVALID', entity_type: 'kemitraan', entity_id: p5.id_kemitraan, note: 'nik_umkm month is 13' });

  const p6biz = b.business({
    nama: b.person('331710').name,
    form: '17',
    namaKegiatan: 'UD. KERIPIK TEMPE MAKMUR',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102012'),
  });
  const p6 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p6biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(280),
    berakhirDay: d(-450),
    pelaksanaan: '3317103019',
  });
  plant({
    rule: 'KD_DAERAH_INVALID',
    entity_type: 'kemitraan',
    entity_id: p6.id_kemitraan,
    note: 'kd_daerah_pelaksanaan "3317103019": 7th digit 3 is neither kelurahan (1) nor desa (2)',
  });

  const kasmadi = b.person('331705', { female: false, name: 'KASMADI' });
  const p7 = b.business({
    nama: kasmadi.name,
    form: '17',
    owner: kasmadi,
    namaKegiatan: 'UD. MINA KASMADI',
    skala: '01',
    kbli: '03111',
    kbliWire: '3111',
    place: village('3317052023'),
  });
  plant({
    rule: 'KBLI_INVALID',
    entity_type: 'proyek',
    entity_id: p7.doc.data_proyek[0]!.id_proyek,
    note: 'project kbli "3111": KBLI 03111 lost its leading zero',
  });

  const p8a = b.business({
    nama: 'CV PINDANG SRI REJEKI',
    form: '02',
    skala: '01',
    kbli: '10214',
    risk: 'MR',
    place: village('3317052020'),
    pengajuanDay: d(500),
    terbitDay: d(503),
    perubahanDay: d(140),
  });
  plant({
    rule: 'DATE_INCONSISTENT',
    entity_type: 'pelaku_usaha',
    entity_id: p8a.doc.nib,
    note: `tgl_terbit_nib ${dayToDate(d(503))} precedes tgl_pengajuan_nib ${dayToDate(d(500))}`,
  });
  const p8bBiz = b.business({
    nama: 'CV BATIK TULIS PESONA LASEM',
    form: '02',
    skala: '01',
    kbli: '13134',
    place: village('3317142004'),
  });
  const p8bSubmit = noonOf(d(200));
  const p8b = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p8bBiz),
    pola: '04',
    sector: 'F',
    status: '03',
    mulaiDay: d(210),
    berakhirDay: d(-520),
    pelaksanaan: store1.place.code,
    pengajuanSec: p8bSubmit,
    idSec: p8bSubmit - 2 * DAY_S,
  });
  plant({
    rule: 'DATE_INCONSISTENT',
    entity_type: 'kemitraan',
    entity_id: p8b.id_kemitraan,
    note: `id_kemitraan embeds ${dayToDate(d(202))} but tgl_pengajuan is ${dayToDate(d(200))}`,
  });
  const p8cParty = b.nikPartner('salt');
  const p8c = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: p8cParty.party,
    pola: '06',
    sector: 'C',
    status: '05',
    mulaiDay: d(300),
    berakhirDay: d(330),
    pelaksanaan: p8cParty.place.code,
    realisasi: [],
    perubahanSec: noonOf(d(100)),
  });
  plant({
    rule: 'DATE_INCONSISTENT',
    entity_type: 'kemitraan',
    entity_id: p8c.id_kemitraan,
    note: 'tgl_berakhir is 30 days before tgl_mulai',
  });

  // ---- Planted: partnership rules ----
  const p9biz = b.business({
    nama: 'CV TERASI UDANG WIDORO',
    form: '02',
    skala: '01',
    kbli: '10215',
    risk: 'MR',
    place: village('3317142019'),
    statusNib: '05',
  });
  const p9 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p9biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(330),
    berakhirDay: d(-400),
    pelaksanaan: store0.place.code,
  });
  const p9case = plant({
    rule: 'PARTNER_NIB_INACTIVE',
    entity_type: 'kemitraan',
    entity_id: p9.id_kemitraan,
    note: `UMKM ${p9biz.doc.nib} has status_nib 05 Dibekukan`,
  });
  fixables.push({
    planted: p9case,
    fix: editNib(p9biz.doc.nib, (doc) => {
      doc.status_nib = '01';
    }),
    change: editNib(p9biz.doc.nib, (doc) => {
      doc.status_nib = '06';
    }),
  });

  const p10a = b.business({
    nama: 'PT REMBANG FROZEN FISH',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317101023'),
    capital: 15e9,
  });
  const k10a = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p10a, '03'),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(360),
    berakhirDay: d(-370),
    pelaksanaan: store1.place.code,
    nilai: 8e9,
  });
  plant({
    rule: 'PARTNER_NOT_UMKM',
    entity_type: 'kemitraan',
    entity_id: k10a.id_kemitraan,
    note: 'the "UMKM" is skala_usaha 04 in OSS (declared 03 in the agreement)',
  });
  const p10b = b.business({
    nama: 'CV KRUPUK SEGORO MAKMUR',
    form: '02',
    skala: '02',
    kbli: '10794',
    risk: 'MR',
    place: village('3317101027'),
    capital: 2.5e9,
  });
  const k10b = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p10b, '01'),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(310),
    berakhirDay: d(-420),
    pelaksanaan: store0.place.code,
    nilai: 1.2e9,
  });
  const p10bCase = plant({
    rule: 'PARTNER_NOT_UMKM',
    entity_type: 'kemitraan',
    entity_id: k10b.id_kemitraan,
    note: 'declared skala_usaha_umkm 01 but OSS says 02',
  });
  fixables.push({
    planted: p10bCase,
    fix: editK(k10b.id_kemitraan, (r) => {
      r.skala_usaha_umkm = '02';
    }),
    change: editK(k10b.id_kemitraan, (r) => {
      r.skala_usaha_umkm = '03';
    }),
  });

  const p11ub = b.business({
    nama: 'CV PINDANG JAYA KRAGAN',
    form: '02',
    skala: '03',
    kbli: '10214',
    risk: 'MT',
    place: village('3317122015'),
    capital: 7e9,
  });
  const p11party = b.nikPartner('fish');
  const k11 = b.kemitraan({
    ub: ubPartyOf(p11ub, 'PJK'),
    umkm: p11party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(270),
    berakhirDay: d(-460),
    pelaksanaan: p11party.place.code,
  });
  plant({
    rule: 'UB_NOT_LARGE',
    entity_type: 'kemitraan',
    entity_id: k11.id_kemitraan,
    note: `nib_ub ${p11ub.doc.nib} is skala_usaha 03 (menengah)`,
  });

  const p12biz = b.business({
    nama: 'CV PINDANG JUWANA BAHARI',
    form: '02',
    skala: '01',
    kbli: '10214',
    risk: 'MR',
    place: OUTSIDE.patiJuwana,
  });
  const k12 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p12biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(340),
    berakhirDay: d(-390),
    pelaksanaan: store0.place.code,
  });
  plant({
    rule: 'UMKM_OUTSIDE_REGION',
    entity_type: 'kemitraan',
    entity_id: k12.id_kemitraan,
    note: `UMKM domicile ${OUTSIDE.patiJuwana.code} (Kabupaten Pati)`,
  });

  const shared = F0.built.spec.holders[0]!.person!;
  const p13owner = b.person('331710');
  const p13biz = b.business({
    nama: 'CV MINA SAMUDRA REJEKI',
    form: '02',
    skala: '02',
    kbli: '03111',
    place: village('3317102025'),
    owner: p13owner,
    holders: [
      { person: p13owner, jabatan: 'DIREKTUR', share: 0.5 },
      { person: shared, jabatan: 'KOMISARIS', share: 0.5 },
    ],
  });
  const k13 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: b.umkmOf(p13biz),
    pola: '06',
    sector: 'B',
    status: '03',
    mulaiDay: d(450),
    berakhirDay: d(-280),
    pelaksanaan: p13biz.doc.perseroan_daerah_id,
  });
  plant({
    rule: 'PARTNER_AFFILIATED',
    entity_type: 'kemitraan',
    entity_id: k13.id_kemitraan,
    note: `shareholder ${shared.name} holds shares in both the UB and the UMKM (same NIK)`,
  });

  const p14 = b.business({
    nama: b.person('331714').name,
    form: '17',
    namaKegiatan: 'UD. KERIPIK SINGKONG MAKMUR',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142010'),
    capital: 3.2e9,
  });
  const p14case = plant({
    rule: 'SCALE_VS_CAPITAL',
    entity_type: 'pelaku_usaha',
    entity_id: p14.doc.nib,
    note: 'declared mikro (01) with Rp3.2 M capital excluding land and buildings (kecil)',
  });
  fixables.push({
    planted: p14case,
    fix: editNib(p14.doc.nib, (doc) => setCapital(doc, 600e6)),
    change: editNib(p14.doc.nib, (doc) => setCapital(doc, 4.1e9)),
  });

  const p15 = b.business({
    nama: 'CV BATIK LASEM PUSAKA',
    form: '02',
    skala: '02',
    kbli: '13134',
    place: village('3317142005'),
    flagUmk: 'N',
    capital: 2e9,
  });
  const p15case = plant({
    rule: 'FLAG_UMK_VS_SCALE',
    entity_type: 'pelaku_usaha',
    entity_id: p15.doc.nib,
    note: 'flag_umk N with skala_usaha 02',
  });
  fixables.push({
    planted: p15case,
    fix: editNib(p15.doc.nib, (doc) => {
      doc.flag_umk = 'Y';
    }),
  });

  const yuli = b.person('331710', { female: true, name: 'YULI ASTUTI' });
  const p16biz = b.business({
    nama: yuli.name,
    form: '17',
    owner: yuli,
    namaKegiatan: 'UD. KERUPUK IKAN MBAK YULI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102026'),
  });
  const k16 = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p16biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(150),
    berakhirDay: d(-215),
    pelaksanaan: store1.place.code,
    nilai: 25e9,
  });
  const p16case = plant({
    rule: 'VALUE_IMPLAUSIBLE',
    entity_type: 'kemitraan',
    entity_id: k16.id_kemitraan,
    note: 'Rp25 M for one year with a mikro partner (ceiling Rp2 M a year)',
  });
  fixables.push({
    planted: p16case,
    fix: editK(k16.id_kemitraan, (r) => {
      r.nilai_kemitraan = '900000000';
      r.realisasi = scaleRealisation(r.realisasi, 900e6 / 25e9);
    }),
    change: editK(k16.id_kemitraan, (r) => {
      r.nilai_kemitraan = '30000000000';
    }),
  });
  const p16bParty = b.nikPartner('fish');
  const k16b = b.kemitraan({
    ub: ubParty(F1.ref),
    umkm: p16bParty.party,
    pola: '06',
    sector: 'A',
    status: '01',
    mulaiDay: d(3),
    berakhirDay: d(-362),
    pelaksanaan: p16bParty.place.code,
    nilai: 0,
    pengajuanSec: b.nowSec - 5 * DAY_S,
    perubahanSec: b.nowSec - 5 * DAY_S + 600,
  });
  plant({
    rule: 'VALUE_IMPLAUSIBLE',
    entity_type: 'kemitraan',
    entity_id: k16b.id_kemitraan,
    note: 'nilai_kemitraan is 0',
  });

  const p17party = b.nikPartner('fish');
  const k17 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: p17party.party,
    pola: '04',
    sector: 'A',
    status: '03',
    mulaiDay: d(390),
    berakhirDay: d(-340),
    pelaksanaan: p17party.place.code,
  });
  plant({
    rule: 'PATTERN_KBLI_MISMATCH',
    entity_type: 'kemitraan',
    entity_id: k17.id_kemitraan,
    note: `pola 04 Perdagangan Umum with kbli_ub ${F0.ref.kbli} (not trade 45-47)`,
  });

  const p18party = b.nikPartner('salt');
  const k18 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: p18party.party,
    pola: '06',
    sector: 'C',
    status: '03',
    mulaiDay: d(250),
    berakhirDay: d(-480),
    pelaksanaan: p18party.place.code,
    realisasi: [],
  });
  const p18case = plant({
    rule: 'NO_REALISATION',
    entity_type: 'kemitraan',
    entity_id: k18.id_kemitraan,
    note: 'Berjalan since 250 days, no realisasi',
  });
  fixables.push({
    planted: p18case,
    fix: editK(k18.id_kemitraan, (r) => {
      r.realisasi = b.realisation(18, {
        mulaiDay: d(250),
        berakhirDay: d(-480),
        nilai: Number(r.nilai_kemitraan),
        volume: Number(r.volume),
        satuan: r.satuan,
      });
    }),
    change: editK(k18.id_kemitraan, (r) => {
      r.tgl_mulai = dayToDate(d(280));
    }),
  });

  const p19biz = b.business({
    nama: 'CV BATIK TULIS LOK CAN',
    form: '02',
    skala: '01',
    kbli: '13134',
    place: village('3317142005'),
  });
  const r19base = b.realisation(19, {
    mulaiDay: d(700),
    berakhirDay: d(-30),
    nilai: 800e6,
    volume: 120,
    satuan: 'pcs',
  });
  const r19 = scaleRealisation(r19base, (1.3 * 800e6) / Math.max(1, sumValue(r19base)));
  const k19 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p19biz),
    pola: '04',
    sector: 'F',
    status: '03',
    mulaiDay: d(700),
    berakhirDay: d(-30),
    pelaksanaan: store0.place.code,
    nilai: 800e6,
    volume: 120,
    realisasi: r19,
  });
  const p19case = plant({
    rule: 'REALISATION_EXCEEDS',
    entity_type: 'kemitraan',
    entity_id: k19.id_kemitraan,
    note: 'realised value is 130% of nilai_kemitraan',
  });
  fixables.push({
    planted: p19case,
    fix: editK(k19.id_kemitraan, (r) => {
      r.nilai_kemitraan = String(Math.round(sumValue(r.realisasi) * 1.25));
    }),
    change: editK(k19.id_kemitraan, (r) => {
      r.nilai_kemitraan = String(Math.round(sumValue(r.realisasi) / 1.6));
    }),
  });

  const kasmi = b.person('331714', { female: true, name: 'KASMI' });
  const p20biz = b.business({
    nama: kasmi.name,
    form: '17',
    owner: kasmi,
    namaKegiatan: 'UD. PEYEK KACANG BU KASMI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142006'),
  });
  const k20a = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p20biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(300),
    berakhirDay: d(-400),
    pelaksanaan: store1.place.code,
    nilai: 500e6,
  });
  const k20b = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(p20biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(100),
    berakhirDay: d(-600),
    pelaksanaan: store1.place.code,
    nilai: 450e6,
  });
  for (const [k, other] of [
    [k20a, k20b],
    [k20b, k20a],
  ] as const) {
    plant({
      rule: 'DUPLICATE_PARTNERSHIP',
      entity_type: 'kemitraan',
      entity_id: k.id_kemitraan,
      note: `same UB, UMKM and pola 04 as ${other.id_kemitraan}, overlapping in time`,
    });
  }

  const p21owner = b.person('331714', { female: true });
  const p21biz = b.business({
    nama: p21owner.name,
    form: '17',
    owner: p21owner,
    namaKegiatan: 'UD. BATIK TULIS SRIWIJAYA',
    skala: '01',
    kbli: '13134',
    place: village('3317142009'),
  });
  const k21 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(p21biz),
    pola: '04',
    sector: 'F',
    status: '02',
    mulaiDay: d(62),
    berakhirDay: d(-300),
    pelaksanaan: store0.place.code,
    pengajuanSec: noonOf(d(60)),
    perubahanSec: noonOf(d(60)) + 3600,
  });
  const p21case = plant({
    rule: 'AWAITING_APPROVAL_STALE',
    entity_type: 'kemitraan',
    entity_id: k21.id_kemitraan,
    note: 'status 02 since 60 days',
  });
  fixables.push({
    planted: p21case,
    fix: editK(k21.id_kemitraan, (r) => {
      r.status_kemitraan = '04';
    }),
  });

  const p22biz = b.business({
    nama: 'CV GARAM DRESI MAKMUR',
    form: '02',
    skala: '01',
    kbli: '08930',
    place: village('3317092003'),
  });
  const k22 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: b.umkmOf(p22biz),
    pola: '06',
    sector: 'D',
    status: '03',
    mulaiDay: d(390),
    berakhirDay: d(20),
    pelaksanaan: p22biz.doc.perseroan_daerah_id,
  });
  const p22case = plant({
    rule: 'EXPIRED_STILL_ACTIVE',
    entity_type: 'kemitraan',
    entity_id: k22.id_kemitraan,
    note: `status 03 but tgl_berakhir ${dayToDate(d(20))} has passed`,
  });
  fixables.push({
    planted: p22case,
    fix: editK(k22.id_kemitraan, (r) => {
      r.status_kemitraan = '05';
    }),
    change: editK(k22.id_kemitraan, (r) => {
      r.tgl_berakhir = dayToDate(d(35));
    }),
  });

  const p23biz = b.business({
    nama: 'CV RENGGINANG LESTARI',
    form: '02',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102024'),
  });
  const k23 = b.kemitraan({
    ub: retail1(),
    umkm: { ...b.umkmOf(p23biz), nama: 'UD SARI RASA' },
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(320),
    berakhirDay: d(-410),
    pelaksanaan: store1.place.code,
  });
  const p23case = plant({
    rule: 'PARTNER_NAME_MISMATCH',
    entity_type: 'kemitraan',
    entity_id: k23.id_kemitraan,
    note: 'nama_umkm "UD SARI RASA" vs OSS "CV RENGGINANG LESTARI"',
  });
  fixables.push({
    planted: p23case,
    fix: editK(k23.id_kemitraan, (r) => {
      r.nama_umkm = 'CV RENGGINANG LESTARI';
    }),
    change: editK(k23.id_kemitraan, (r) => {
      r.nama_umkm = 'UD SARI RASA ABADI';
    }),
  });

  const p24 = b.business({
    nama: 'PT BAHARI TASIK INDUSTRI',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317102025'),
    capital: 18e9,
    dni: ['65'],
    holders: [
      { person: b.person('331710'), jabatan: 'DIREKTUR UTAMA', share: 0.7 },
      { person: b.person('331710'), jabatan: 'KOMISARIS', share: 0.3 },
    ],
  });
  const p24party = b.nikPartner('fish');
  const k24 = b.kemitraan({
    ub: ubPartyOf(p24, 'BTI'),
    umkm: p24party.party,
    pola: '06',
    sector: 'A',
    status: '05',
    mulaiDay: d(600),
    berakhirDay: d(200),
    pelaksanaan: p24party.place.code,
    perubahanSec: noonOf(d(199)),
  });
  reservedIds.add(k24.id_kemitraan);
  plant({
    rule: 'REQUIRED_PARTNERSHIP_MISSING',
    entity_type: 'pelaku_usaha',
    entity_id: p24.doc.nib,
    note: `data_dni kd_dni 65 and no Berjalan partnership (only ${k24.id_kemitraan}, Selesai)`,
  });

  // ---- Planted: licensing ----
  const p25 = b.business({
    nama: 'CV PENGASAPAN IKAN SUMBER LAUT',
    form: '02',
    skala: '02',
    kbli: '10212',
    risk: 'MT',
    licences: [],
    place: village('3317142008'),
  });
  plant({
    rule: 'RISK_LICENCE_MISSING',
    entity_type: 'proyek',
    entity_id: p25.doc.data_proyek[0]!.id_proyek,
    note: 'skala_resiko MT without a Sertifikat Standar (jenis_izin 04)',
  });

  const p26 = b.business({
    nama: 'CV TERASI REBON LASEM',
    form: '02',
    skala: '02',
    kbli: '10215',
    risk: 'MT',
    place: village('3317142009'),
    licences: [
      { jenis: '04', kdStatus: '58', flag: 'Y', nama: '', kewenangan: '02', uraian: 'Izin terbit/SS terverifikasi' },
    ],
  });
  const izin26 = p26.doc.data_checklist[0]!.id_izin;
  const p26case = plant({
    rule: 'LICENCE_STATUS_UNKNOWN',
    entity_type: 'perizinan',
    entity_id: izin26,
    note: 'kd_status "58" is not in PIA Lampiran 10',
  });
  fixables.push({
    planted: p26case,
    fix: (m) => {
      m.setLicenceStatus(izin26, '50', 'Disetujui');
      return { partnerships: [], nibs: [], licences: [izin26] };
    },
    change: (m) => {
      m.setLicenceStatus(izin26, '59', 'Menunggu verifikasi teknis');
      return { partnerships: [], nibs: [], licences: [izin26] };
    },
  });

  const p27place = village('3317052002');
  const p27owner = b.person('331705');
  const p27 = b.business({
    nama: p27owner.name,
    form: '17',
    owner: p27owner,
    namaKegiatan: 'UD. IKAN ASIN BAHARI',
    skala: '01',
    kbli: '10211',
    risk: 'MR',
    place: p27place,
    latLng: `${p27place.lng.toFixed(4)},${p27place.lat.toFixed(4)}`,
  });
  plant({
    rule: 'LOCATION_OUTSIDE_REGION',
    entity_type: 'proyek',
    entity_id: p27.doc.data_proyek[0]!.id_proyek,
    note: 'lat_lng has latitude and longitude swapped',
  });

  const p28 = b.business({
    nama: 'PT REMBANG AGRO MARITIM',
    form: '01',
    skala: '04',
    kbli: '10213',
    risk: 'MT',
    place: village('3317101022'),
    capital: 22e9,
    statusPm: '01',
    persenPma: 0,
  });
  plant({
    rule: 'INVESTMENT_STATUS_INCONSISTENT',
    entity_type: 'pelaku_usaha',
    entity_id: p28.doc.nib,
    note: 'status_penanaman_modal 01 PMA with persen_pma 0 and no foreign shareholder',
  });

  // ---- Controls: near-misses that must stay clean ----
  const c1biz = b.business({
    nama: 'CV PINDANG MINA LESTARI',
    form: '02',
    skala: '03',
    kbli: '10214',
    risk: 'MT',
    place: village('3317122012'),
    capital: 7.2e9,
  });
  const c1 = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c1biz),
    pola: '04',
    sector: 'E',
    status: '03',
    mulaiDay: d(410),
    berakhirDay: d(-320),
    pelaksanaan: store0.place.code,
    nilai: 12e9,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c1.id_kemitraan,
    note: 'menengah partner (skala 03) declared 03: only besar is wrong',
  });

  const c2owner = b.person('331710', { female: true, name: 'SUMIATI' });
  const c2biz = b.business({
    nama: c2owner.name,
    form: '17',
    owner: c2owner,
    namaKegiatan: 'UD. KERIPIK TEMPE SARI',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317102002'),
  });
  const c2 = b.kemitraan({
    ub: retail1(),
    umkm: b.umkmOf(c2biz),
    pola: '04',
    sector: 'G',
    status: '05',
    mulaiDay: d(366),
    berakhirDay: d(1),
    pelaksanaan: store1.place.code,
    perubahanSec: noonOf(d(1)),
  });
  control({ entity_type: 'kemitraan', entity_id: c2.id_kemitraan, note: 'ended yesterday with status 05 Selesai' });

  const storyRetail = story.retail[0]!;
  control({
    entity_type: 'kemitraan',
    entity_id: storyRetail.id_kemitraan,
    note: `Berjalan with tgl_berakhir ${storyRetail.tgl_berakhir} in the future`,
  });
  control({ entity_type: 'pelaku_usaha', entity_id: buSiti.doc.nib, note: "an individual's NPWP that is their NIK" });

  const c5party = b.nikPartner('fish');
  const c5 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: c5party.party,
    pola: '06',
    sector: 'A',
    status: '02',
    mulaiDay: d(12),
    berakhirDay: d(-353),
    pelaksanaan: c5party.place.code,
    pengajuanSec: noonOf(d(10)),
    perubahanSec: noonOf(d(10)) + 1800,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c5.id_kemitraan,
    note: 'status 02 Menunggu Persetujuan Mitra since 10 days (under 30)',
  });

  const c6biz = b.business({
    nama: 'CV BATIK TULIS SEKAR KENDHEL',
    form: '02',
    skala: '01',
    kbli: '13134',
    place: village('3317142005'),
  });
  const c6 = b.kemitraan({
    ub: retail1(),
    umkm: { ...b.umkmOf(c6biz), nama: 'Cv. Batik Tulis Sekar Kendhel' },
    pola: '04',
    sector: 'F',
    status: '03',
    mulaiDay: d(290),
    berakhirDay: d(-440),
    pelaksanaan: store1.place.code,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c6.id_kemitraan,
    note: 'nama_umkm differs from the OSS name only in case and punctuation',
  });

  const c7party = b.nikPartner('salt', { female: true });
  const c7 = b.kemitraan({
    ub: ubParty(S0.ref),
    umkm: c7party.party,
    pola: '06',
    sector: 'C',
    status: '03',
    mulaiDay: d(40),
    berakhirDay: d(-690),
    pelaksanaan: c7party.place.code,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c7.id_kemitraan,
    note: 'Berjalan since 40 days with no realisasi yet (less than a full quarter); partner NIK of a woman (day + 40)',
  });

  const c9party = b.nikPartner('fish');
  const c9 = b.kemitraan({
    ub: ubParty(F0.ref),
    umkm: c9party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(200),
    berakhirDay: d(-165),
    pelaksanaan: c9party.place.code,
    nilai: 1.95e9,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c9.id_kemitraan,
    note: 'mikro partner, Rp1.95 M for one year: just under the Rp2 M ceiling',
  });

  const storySalt = story.salt[0]!;
  control({
    entity_type: 'kemitraan',
    entity_id: storySalt.id_kemitraan,
    note: 'open-ended Berjalan partnership (tgl_berakhir empty)',
  });

  const c11biz = b.business({
    nama: 'CV TRANS SULANG MANDIRI',
    form: '02',
    skala: '01',
    kbli: '49431',
    risk: 'MR',
    place: village('3317012009'),
  });
  const c11 = b.kemitraan({
    ub: ubParty(C0.ref),
    umkm: b.umkmOf(c11biz),
    pola: '10',
    sector: 'H',
    status: '06',
    mulaiDay: d(240),
    berakhirDay: d(-490),
    pelaksanaan: c11biz.doc.perseroan_daerah_id,
    realisasi: [],
  });
  control({ entity_type: 'kemitraan', entity_id: c11.id_kemitraan, note: 'cancelled (06) partnership stays listed' });

  const lilik = b.person('331714', { female: true, name: 'LILIK' });
  const c12biz = b.business({
    nama: lilik.name,
    form: '17',
    owner: lilik,
    namaKegiatan: 'UD. PEYEK REBON MBAK LILIK',
    skala: '01',
    kbli: '10794',
    risk: 'MR',
    place: village('3317142017'),
  });
  const c12a = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c12biz),
    pola: '04',
    sector: 'G',
    status: '05',
    mulaiDay: d(800),
    berakhirDay: d(400),
    pelaksanaan: store0.place.code,
    perubahanSec: noonOf(d(399)),
    nilai: 700e6,
  });
  const c12b = b.kemitraan({
    ub: retail0(),
    umkm: b.umkmOf(c12biz),
    pola: '04',
    sector: 'G',
    status: '03',
    mulaiDay: d(380),
    berakhirDay: d(-350),
    pelaksanaan: store0.place.code,
    nilai: 750e6,
  });
  control({
    entity_type: 'kemitraan',
    entity_id: c12b.id_kemitraan,
    note: `same UB, UMKM and pola as ${c12a.id_kemitraan} but not overlapping (that one ended first)`,
  });
  reservedIds.add(c12a.id_kemitraan);

  const c13party = b.nikPartner('fish');
  const r13base = b.realisation(13, { mulaiDay: d(500), berakhirDay: d(-230), nilai: 1e9, volume: 10, satuan: 'ton' });
  const r13sum = sumValue(r13base);
  const c13 = b.kemitraan({
    ub: ubParty(F1.ref),
    umkm: c13party.party,
    pola: '06',
    sector: 'A',
    status: '03',
    mulaiDay: d(500),
    berakhirDay: d(-230),
    pelaksanaan: c13party.place.code,
    volume: 10,
    nilai: Math.ceil(r13sum / 0.95 / 1000) * 1000,
    realisasi: r13base,
  });
  control({ entity_type: 'kemitraan', entity_id: c13.id_kemitraan, note: 'realised value is 95% of nilai_kemitraan' });

  control({
    entity_type: 'pelaku_usaha',
    entity_id: R0.ref.nib,
    note: 'data_dni 115 with Berjalan partnerships in the region',
  });
  control({
    entity_type: 'proyek',
    entity_id: F0.ref.mainProject.id,
    note: 'risk MT with a Sertifikat Standar (jenis_izin 04)',
  });
  const s0licence = S0.built.doc.data_checklist[0];
  if (s0licence?.status_checklist === '57')
    control({
      entity_type: 'perizinan',
      entity_id: s0licence.id_izin,
      note: 'kd_status 57 (fiktif positif) is in the PIA table',
    });
  if (F1 !== F0)
    control({
      entity_type: 'pelaku_usaha',
      entity_id: F1.ref.nib,
      note: 'PMA with persen_pma 30 and a foreign shareholder',
    });
  const c18owner = b.person('331701');
  const c18 = b.business({
    nama: c18owner.name,
    form: '17',
    owner: c18owner,
    namaKegiatan: 'UD. MEBEL JATI SUMBER',
    skala: '01',
    kbli: '31001',
    place: village('3317012009'),
    latLng: '-7.0410,111.0160',
  });
  control({
    entity_type: 'proyek',
    entity_id: c18.doc.data_proyek[0]!.id_proyek,
    note: 'location near the south-west corner of the bounding box, inside it',
  });
  control({
    entity_type: 'kemitraan',
    entity_id: story.cement[0]!.id_kemitraan,
    note: 'UMKM status_nib 04 Diizinkan Beroperasi is active',
  });
  const c20 = b.business({
    nama: 'CV MINA BAHARI REMBANG',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317101028'),
    npwp: dottedNpwp(npwp15(b.seed, 5, 1)),
  });
  control({ entity_type: 'pelaku_usaha', entity_id: c20.doc.nib, note: 'NPWP in the dotted 15-digit form (valid)' });

  // ---- Invalid records: the validator must reject them ----
  const invalidKemitraan = (reason: string, edit: (r: SimKemitraan) => void) => {
    const party = b.nikPartner('fish');
    const rec = b.kemitraan({
      ub: ubParty(F0.ref),
      umkm: party.party,
      pola: '06',
      sector: 'A',
      status: '03',
      mulaiDay: d(400),
      berakhirDay: d(-330),
      pelaksanaan: party.place.code,
    });
    edit(rec);
    invalid.push({ stream: 'kemitraan', entity_id: rec.id_kemitraan, reason });
    reservedIds.add(rec.id_kemitraan);
  };
  invalidKemitraan('nilai_kemitraan is "satu miliar" (not numeric)', (r) => {
    r.nilai_kemitraan = 'satu miliar';
  });
  const lastYear = dayParts(b.nowDay).year - 1;
  invalidKemitraan(`tgl_mulai is "${lastYear}-02-30" (not a calendar date)`, (r) => {
    r.tgl_mulai = `${lastYear}-02-30`;
  });
  invalidKemitraan('status_kemitraan is "7" (not 01-06)', (r) => {
    r.status_kemitraan = '7';
  });
  invalidKemitraan('pola_kemitraan is "55" (not in the table)', (r) => {
    r.pola_kemitraan = '55';
  });
  invalidKemitraan('a realisasi entry has triwulan "5"', (r) => {
    const first = r.realisasi[0];
    if (first) first.triwulan = '5';
    else
      r.realisasi.push({
        tahun: String(lastYear),
        triwulan: '5',
        nilai_realisasi: '1000000',
        volume_realisasi: '1',
        satuan: r.satuan,
        sumber: 'LKPM',
      });
  });
  const i6 = b.business({
    nama: 'CV BERKAH LAUT LERAN',
    form: '02',
    skala: '01',
    kbli: '46206',
    place: village('3317132012'),
  });
  i6.doc.tgl_terbit_nib = '31-13-2023';
  invalid.push({
    stream: 'nib',
    entity_id: i6.doc.nib,
    reason: 'tgl_terbit_nib is "31-13-2023" (not a date); listed by listNIB',
  });
  reservedIds.add(i6.doc.nib);

  // ---- Outside the region: not listed for the world's kabupaten, listed for the province ----
  for (const ub of [F0, F1]) {
    const person = b.person('331817');
    const k = b.kemitraan({
      ub: ubParty(ub.ref),
      umkm: { nib: '', nama: person.name, kbli: '03111', nik: person.nik, skala: '01' } satisfies PartyUmkm,
      pola: '06',
      sector: 'A',
      status: '03',
      mulaiDay: d(350),
      berakhirDay: d(-380),
      pelaksanaan: OUTSIDE.patiJuwana.code,
    });
    reservedIds.add(k.id_kemitraan);
    if (F1 === F0) break;
  }
  return { planted, controls, invalid, fixables, reservedIds };
}
