/*
 * NIK_INVALID for every NIK a NIB document carries: shareholders' and persons in charge's KTP numbers are checked
 * like an individual partner's (length, month, day, serial, province), stored only as facts and a mask, and the
 * finding (on the pelaku_usaha) names the person without ever showing the number in full.
 * The documents go through the real path: validateBusinesses (normalize + validate) → storeBusinesses → evaluation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBusinesses } from '../../src/store/businesses.js';
import { validateBusinesses } from '../../src/validate/index.js';
import { evaluatePending } from '../../src/verification/evaluate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const NOW = new Date('2024-07-15T03:00:00Z');
const NIB = '8120000000031';
/** Born 1 Sept 1985 (a woman: day + 40), serial 0002: valid. */
const NIK_OK = '3317094109850002';
/** Month 13. */
const NIK_MONTH = '3317091013850003';
/** Province 99 and day 00. */
const NIK_PROVINCE = '9917090009850004';

let t: TestDatabase;

function document(people: { shareholders: Array<[string, string, string]>; persons: Array<[string, string, string]> }) {
  return {
    nib: NIB,
    tgl_pengajuan_nib: '2022-03-01',
    tgl_terbit_nib: '2022-03-01',
    tgl_perubahan_nib: '2024-01-01',
    jenis_pelaku_usaha: '01',
    jenis_perseroan: '02',
    nama_perseroan: 'CV SAMUDRA MINA',
    status_penanaman_modal: '02',
    flag_umk: 'Y',
    skala_usaha: '02',
    npwp_perseroan: '0011112223507000',
    perseroan_daerah_id: '3317142008',
    persen_pma: 0,
    status_nib: '01',
    pemegang_saham: people.shareholders.map(([nama, jns, no]) => ({
      jenis_pemegang_saham: '01',
      flag_asing: jns === '02' ? 'Y' : 'N',
      nama_pemegang_saham: nama,
      jns_identitas_pemegang_saham: jns,
      no_identitas_pemegang_saham: no,
      total_modal_pemegang: '100000000',
    })),
    penanggung_jwb: people.persons.map(([nama, jns, no]) => ({
      flag_asing: 'N',
      nama_penanggung_jwb: nama,
      jabatan_penanggung_jwb: 'DIREKTUR',
      jns_identitas_penanggung_jwb: jns,
      no_identitas_penanggung_jwb: no,
    })),
    data_proyek: [],
    data_checklist: [],
  };
}

async function storeAndEvaluate(doc: ReturnType<typeof document>) {
  const piiKey = 'test-pii-key';
  const { valid, rejected } = validateBusinesses([doc], { piiKey });
  expect(rejected).toEqual([]);
  const [run] = await t.db('sync_runs').insert({ trigger: 'manual', status: 'succeeded' }).returning('id');
  await t.db.transaction((trx) => storeBusinesses(trx, valid, { runId: Number(run.id), source: 'inqueryNIB' }));
  await evaluatePending(t.db, { runId: null, now: NOW, kdDaerah: '3317' });
  return t
    .db('findings')
    .where({ rule_code: 'NIK_INVALID' })
    .select('entity_type', 'entity_id', 'status', 'message', 'evidence');
}

beforeAll(async () => {
  t = await createTestDatabase('nik');
});
afterAll(async () => {
  await t?.drop();
});

describe('NIK_INVALID on the people of a NIB document', () => {
  it('flags a shareholder and a person in charge with an invalid KTP NIK, showing them only masked', async () => {
    const found = await storeAndEvaluate(
      document({
        shareholders: [
          ['SITI AMINAH', '01', NIK_OK],
          ['AHMAD FAUZI', '01', NIK_MONTH],
          ['TANAKA HIROSHI', '02', 'TZ1234567'],
        ],
        persons: [['BUDI SANTOSO', '01', NIK_PROVINCE]],
      }),
    );
    expect(found.map((f) => [f.entity_type, f.entity_id, f.status])).toEqual([['pelaku_usaha', NIB, 'open']]);
    const [f] = found;
    expect(f.evidence.orang).toEqual([
      {
        peran: 'pemegang saham',
        nama: 'AHMAD FAUZI',
        no_identitas_masked: '3317********0003',
        kode_provinsi: '33',
        masalah: ['month'],
      },
      {
        peran: 'penanggung jawab',
        nama: 'BUDI SANTOSO',
        no_identitas_masked: '9917********0004',
        kode_provinsi: '99',
        masalah: ['day', 'province'],
      },
    ]);
    expect(f.message).toContain('pemegang saham AHMAD FAUZI (3317********0003): bulan lahir (digit 9–10) bukan 01–12');
    expect(f.message).toContain('penanggung jawab BUDI SANTOSO (9917********0004)');
    expect(f.message).toContain('kode provinsi 99 tidak dikenal');
    // Neither the finding nor the stored people hold a full number.
    const stored = await t.db.raw(
      `select (select count(*) from findings where findings::text ~ ?)::int as findings,
              (select count(*) from pemegang_saham where pemegang_saham::text ~ ?)::int as holders,
              (select count(*) from penanggung_jawab where penanggung_jawab::text ~ ?)::int as persons`,
      [NIK_MONTH, NIK_MONTH, NIK_PROVINCE],
    );
    expect(stored.rows[0]).toEqual({ findings: 0, holders: 0, persons: 0 });
  });

  it('resolves when OSS corrects the number, and ignores passports and valid NIKs', async () => {
    const found = await storeAndEvaluate(
      document({
        shareholders: [
          ['SITI AMINAH', '01', NIK_OK],
          ['AHMAD FAUZI', '01', '3317091003850003'],
          ['TANAKA HIROSHI', '02', 'TZ1234567'],
        ],
        persons: [['BUDI SANTOSO', '01', '3317090109850004']],
      }),
    );
    expect(found.map((f) => [f.entity_type, f.entity_id, f.status])).toEqual([['pelaku_usaha', NIB, 'resolved']]);
  });
});
