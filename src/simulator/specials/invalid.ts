/* Structurally invalid records (not numeric, not a calendar date, codes outside their table) for the validator. */
import { village } from '../catalog.js';
import { ubParty } from '../explicit.js';
import { dayParts } from '../time.js';
import type { SimKemitraan } from '../types.js';
import type { SpecialsContext } from './shared.js';

/** Adds the invalid records: the validator must reject them. */
export function addInvalidRecords(ctx: SpecialsContext): void {
  const { b, d, reservedIds, invalid, F0 } = ctx;
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
}
