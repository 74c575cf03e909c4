/* Planted cases of the identity and format rules: NIB, NPWP, NIK, region code, KBLI and dates. */
import { village } from '../catalog.js';
import { noonOf } from '../docs.js';
import { ubParty } from '../explicit.js';
import { dottedNpwp, npwp16 } from '../people.js';
import { DAY_S, dayToDate } from '../time.js';
import type { SpecialsContext } from './shared.js';

/** PARTNER_NIB_NOT_FOUND: a partnership whose UMKM NIB does not exist in OSS. */
function partnerNibNotFound(ctx: SpecialsContext): void {
  const { b, d, plant, store0, retail0 } = ctx;
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
}

/** NIB_FORMAT: a UMKM NIB of 12 digits. */
function nibFormat(ctx: SpecialsContext): void {
  const { b, d, plant, store1, retail1 } = ctx;
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
}

/** NPWP_FORMAT: an NPWP of 12 digits. */
function npwpFormat(ctx: SpecialsContext): void {
  const { b, plant } = ctx;
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
}

/** NPWP_MULTI_NIB: one NPWP (dotted and 16-digit forms) behind two active NIBs. */
function npwpMultiNib(ctx: SpecialsContext): void {
  const { b, d, plant } = ctx;
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
}

/** NIK_INVALID: an individual partner whose NIK has month 13. */
function nikInvalid(ctx: SpecialsContext): void {
  const { b, d, plant, F0 } = ctx;
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
}

/** KD_DAERAH_INVALID: a place of execution whose 7th digit is neither 1 nor 2. */
function kdDaerahInvalid(ctx: SpecialsContext): void {
  const { b, d, plant, retail0 } = ctx;
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
}

/** KBLI_INVALID: a KBLI that lost its leading zero. */
function kbliInvalid(ctx: SpecialsContext): void {
  const { b, plant } = ctx;
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
}

/** DATE_INCONSISTENT: a NIB issued before it was applied for, an id stamped after submission, an end before the start. */
function dateInconsistent(ctx: SpecialsContext): void {
  const { b, d, plant, S0, store1, retail1 } = ctx;
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
}

/** Plants one case (or more) per identity and format rule, in this order. */
export function plantIdentityCases(ctx: SpecialsContext): void {
  partnerNibNotFound(ctx);
  nibFormat(ctx);
  npwpFormat(ctx);
  npwpMultiNib(ctx);
  nikInvalid(ctx);
  kdDaerahInvalid(ctx);
  kbliInvalid(ctx);
  dateInconsistent(ctx);
}
