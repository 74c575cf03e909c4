import type { Knex } from 'knex';

/*
 * Analyst surfaces for the partnership report (issue 13, point 3):
 * - reference tables filled by refreshReferenceTables at every migrate: ref_code (the code tables of
 *   src/domain/codes.ts), ref_komoditas and ref_kelompok_kbli (config/reference/komoditas.json);
 * - SQL functions in analytics: kbli_seksi (KBLI 2020 section), satuan_baku / volume_baku / volume_ton (units),
 *   faktor_triwulan (agreed volume per quarter), tanggal_acuan (today in WIB, or the date an analyst sets);
 * - label views for the code tables, KBLI and kecamatan;
 * - the views the report is computed from: kemitraan_triwulan, rantai_pasok, rantai_pasok_triwulan, kemitraan_per_ub.
 *   They hide what a live run is writing, like the other analytics views, and never show a full NIK;
 * - COMMENT ON every analytics view and column, Indonesian and English (the migration refuses to finish while a
 *   column has none).
 * Existing views keep their columns. (No question marks in the SQL or the comments: knex would take them for bind
 * parameters.)
 */

/** KBLI 2020 sections: letter, first and last 2-digit division (golongan pokok), title (Peraturan BPS 2/2020). */
const KBLI_SECTIONS: ReadonlyArray<readonly [string, number, number, string]> = [
  ['A', 1, 3, 'Pertanian, Kehutanan dan Perikanan'],
  ['B', 5, 9, 'Pertambangan dan Penggalian'],
  ['C', 10, 33, 'Industri Pengolahan'],
  ['D', 35, 35, 'Pengadaan Listrik, Gas, Uap/Air Panas dan Udara Dingin'],
  [
    'E',
    36,
    39,
    'Treatment Air, Treatment Air Limbah, Treatment dan Pemulihan Material Sampah, dan Aktivitas Remediasi',
  ],
  ['F', 41, 43, 'Konstruksi'],
  ['G', 45, 47, 'Perdagangan Besar dan Eceran; Reparasi dan Perawatan Mobil dan Sepeda Motor'],
  ['H', 49, 53, 'Pengangkutan dan Pergudangan'],
  ['I', 55, 56, 'Penyediaan Akomodasi dan Penyediaan Makan Minum'],
  ['J', 58, 63, 'Informasi dan Komunikasi'],
  ['K', 64, 66, 'Aktivitas Keuangan dan Asuransi'],
  ['L', 68, 68, 'Real Estat'],
  ['M', 69, 75, 'Aktivitas Profesional, Ilmiah dan Teknis'],
  [
    'N',
    77,
    82,
    'Aktivitas Penyewaan dan Sewa Guna Usaha Tanpa Hak Opsi, Ketenagakerjaan, Agen Perjalanan dan Penunjang Usaha Lainnya',
  ],
  ['O', 84, 84, 'Administrasi Pemerintahan, Pertahanan dan Jaminan Sosial Wajib'],
  ['P', 85, 85, 'Pendidikan'],
  ['Q', 86, 88, 'Aktivitas Kesehatan Manusia dan Aktivitas Sosial'],
  ['R', 90, 93, 'Kesenian, Hiburan dan Rekreasi'],
  ['S', 94, 96, 'Aktivitas Jasa Lainnya'],
  [
    'T',
    97,
    98,
    'Aktivitas Rumah Tangga sebagai Pemberi Kerja; Aktivitas yang Menghasilkan Barang dan Jasa oleh Rumah Tangga yang Digunakan untuk Memenuhi Kebutuhan Sendiri',
  ],
  ['U', 99, 99, 'Aktivitas Badan Internasional dan Badan Ekstra Internasional Lainnya'],
];

/**
 * Units of an agreed or realised volume as OSS users write them: normalized unit, factor to it, spellings (lower
 * case, without dots and without a '/bulan' or 'per bulan' tail). Containers (dus, karton, kodi) hold an unknown
 * number of pieces and are not units here.
 */
const UNITS: ReadonlyArray<readonly [string, number, readonly string[]]> = [
  ['ton', 1, ['ton', 'tons', 'tonne', 't', 'tn']],
  ['ton', 0.1, ['kuintal', 'kwintal', 'kw']],
  ['kg', 1, ['kg', 'kgs', 'kilo', 'kilogram']],
  ['kg', 0.001, ['g', 'gr', 'gram']],
  ['liter', 1, ['l', 'lt', 'ltr', 'liter', 'litre']],
  ['liter', 0.001, ['ml']],
  [
    'unit',
    1,
    [
      'unit',
      'pcs',
      'pc',
      'buah',
      'bh',
      'biji',
      'lembar',
      'lbr',
      'potong',
      'ptg',
      'helai',
      'bungkus',
      'bks',
      'pak',
      'pack',
      'kemasan',
      'botol',
      'sachet',
      'eksemplar',
    ],
  ],
];

/** periode_volume spellings (lower case, without a leading 'per ') and how many of that period make a quarter. */
const PERIODS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [91.25, ['hari', 'harian']],
  [13, ['minggu', 'mingguan', 'pekan']],
  [3, ['bulan', 'bulanan', 'bln']],
  [1, ['triwulan', 'triwulanan', 'kuartal']],
  [0.5, ['semester', 'semesteran']],
  [0.25, ['tahun', 'tahunan', 'thn']],
];

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

const unitKey = (e: string) => `regexp_replace(lower(btrim(${e})), '\\.|\\s*/.*$|\\s+per\\s.*$', '', 'g')`;

/** A simple CASE over one key: one WHEN per spelling. */
function caseOf(key: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  return `case ${key} ${pairs.map(([k, v]) => `when ${sqlText(k)} then ${v}`).join(' ')} end`;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');
const DIVISION_SECTION = KBLI_SECTIONS.flatMap(([letter, from, to]) =>
  Array.from({ length: to - from + 1 }, (_, i) => [twoDigits(from + i), sqlText(letter)] as const),
);
const UNIT_BASE = UNITS.flatMap(([base, , spellings]) => spellings.map((s) => [s, sqlText(base)] as const));
const UNIT_FACTOR = UNITS.flatMap(([, factor, spellings]) => spellings.map((s) => [s, String(factor)] as const));
const TON_FACTOR = UNITS.filter(([base]) => base === 'ton' || base === 'kg').flatMap(([base, factor, spellings]) =>
  spellings.map((s) => [s, String(base === 'kg' ? factor / 1000 : factor)] as const),
);
const PERIOD_FACTOR = PERIODS.flatMap(([factor, spellings]) => spellings.map((s) => [s, String(factor)] as const));

const CODE_TABLES: ReadonlyArray<readonly [view: string, codeTable: string]> = [
  ['label_pola_kemitraan', 'pola_kemitraan'],
  ['label_status_kemitraan', 'status_kemitraan'],
  ['label_skala_usaha', 'skala_usaha'],
  ['label_status_penanaman_modal', 'status_penanaman_modal'],
  ['label_status_nib', 'status_nib'],
  ['label_jenis_izin', 'jenis_izin'],
  ['label_status_izin', 'status_izin'],
  ['label_jenis_perseroan', 'jenis_perseroan'],
];

const NEW_VIEWS = [
  ...CODE_TABLES.map(([view]) => view),
  'label_kbli_seksi',
  'label_kbli',
  'label_kecamatan',
  'label_komoditas',
  'label_kelompok_kbli',
  'kemitraan_triwulan',
  'rantai_pasok',
  'rantai_pasok_triwulan',
  'kemitraan_per_ub',
];

const FUNCTIONS = [
  'kbli_seksi(text)',
  'satuan_baku(text)',
  'volume_baku(numeric, text)',
  'volume_ton(numeric, text)',
  'faktor_triwulan(text)',
  'tanggal_acuan()',
];

/**
 * The finished-data filter of the analytics views (20261129000100, 20261204000200): rows last written by a live run
 * are hidden. The views below read the base tables with it instead of reading analytics.kemitraan: there it is a
 * NOT EXISTS anti-join, which the planner estimates at 1 row whenever one run wrote most rows (the first full sync,
 * every test world), and a join over that estimate becomes nested loops (minutes at 100,000 partnerships). As an
 * array of the live runs' ids, computed once per query, the estimate stays near the table's size.
 */
const FINISHED = (alias: string) =>
  `coalesce(${alias}.last_run_id, 0) <> all (array(select sr.id from public.sync_runs sr where public.sync_run_live(sr.status, sr.heartbeat_at)))`;

/** analytics.kemitraan.id_mitra_umkm (20261204000500), for the views that read public.kemitraan. */
const ID_MITRA_UMKM = `coalesce(m.nib_umkm, 'nik:' || left(m.nik_umkm_hash, 16))`;

/** Quarter start (a timestamp without zone, so no session time zone moves it) of a date expression. */
const quarterOf = (d: string) => `date_trunc('quarter', (${d})::timestamp)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ref_code (
      code_table text not null,
      code text not null,
      label text not null,
      primary key (code_table, code)
    );
    create table ref_komoditas (
      urutan integer primary key,
      -- Compiling the pattern here refuses an invalid regular expression when the config is loaded, not when an
      -- analyst queries rantai_pasok.
      pattern text not null check (('' ~* pattern) is not null),
      komoditas text not null,
      kelompok_mitra text,
      source text not null
    );
    create table ref_kelompok_kbli (
      kbli text primary key check (kbli ~ '^[0-9]{2,5}$'),
      kelompok_mitra text not null
    );

    create function analytics.kbli_seksi(kbli text) returns text language sql immutable parallel safe as $$
      select ${caseOf("substring(kbli from '^\\s*([0-9]{2})[0-9]{0,3}\\s*$')", DIVISION_SECTION)}
    $$;

    create function analytics.satuan_baku(satuan text) returns text language sql immutable parallel safe as $$
      select ${caseOf(unitKey('satuan'), UNIT_BASE)}
    $$;

    create function analytics.volume_baku(volume numeric, satuan text) returns numeric language sql immutable parallel safe as $$
      select volume * ${caseOf(unitKey('satuan'), UNIT_FACTOR)}
    $$;

    create function analytics.volume_ton(volume numeric, satuan text) returns numeric language sql immutable parallel safe as $$
      select volume * ${caseOf(unitKey('satuan'), TON_FACTOR)}
    $$;

    create function analytics.faktor_triwulan(periode text) returns numeric language sql immutable parallel safe as $$
      select ${caseOf("regexp_replace(lower(btrim(periode)), '^per\\s+', '')", PERIOD_FACTOR)}
    $$;

    create function analytics.tanggal_acuan() returns date language sql stable parallel safe as $$
      select coalesce(nullif(current_setting('analytics.tanggal_acuan', true), '')::date,
                      (now() at time zone 'Asia/Jakarta')::date)
    $$;
  `);

  for (const [view, codeTable] of CODE_TABLES) {
    await knex.raw(`
      create view analytics.${view} as
        select c.code as kode, c.label from public.ref_code c where c.code_table = ${sqlText(codeTable)} order by c.code`);
  }

  const sections = KBLI_SECTIONS.map(
    ([letter, from, to, title]) =>
      `(${sqlText(letter)}, ${sqlText(title)}, ${sqlText(from === to ? twoDigits(from) : `${twoDigits(from)}-${twoDigits(to)}`)})`,
  ).join(',\n               ');

  await knex.raw(`
    create view analytics.label_kbli_seksi as
      select v.seksi, v.judul_seksi, v.golongan_pokok
        from (values ${sections}) v(seksi, judul_seksi, golongan_pokok)
       order by v.seksi;

    create view analytics.label_kbli as
      select k.kbli, k.judul, analytics.kbli_seksi(k.kbli) as seksi, s.judul_seksi
        from public.ref_kbli k
        left join analytics.label_kbli_seksi s on s.seksi = analytics.kbli_seksi(k.kbli)
       order by k.kbli;

    create view analytics.label_kecamatan as
      select k.kd_kecamatan, k.nama from public.ref_kecamatan k order by k.kd_kecamatan;

    create view analytics.label_komoditas as
      select r.urutan, r.pattern, r.komoditas, r.kelompok_mitra, r.source from public.ref_komoditas r order by r.urutan;

    create view analytics.label_kelompok_kbli as
      select g.kbli, g.kelompok_mitra from public.ref_kelompok_kbli g order by g.kbli;

    create view analytics.kemitraan_triwulan as
      select m.id_kemitraan, m.nib_ub, ${ID_MITRA_UMKM} as id_mitra_umkm, m.pola_kemitraan, m.status_kemitraan,
             m.kd_kecamatan, extract(year from q.awal)::int as tahun, extract(quarter from q.awal)::int as triwulan,
             q.awal::date as awal_triwulan, r.nilai_realisasi, r.volume_realisasi, r.satuan,
             coalesce(r.nilai_realisasi > 0 or r.volume_realisasi > 0, false) as ada_realisasi,
             (q.awal + interval '3 months' - interval '1 day')::date as akhir_triwulan,
             p.penuh as triwulan_penuh, p.berakhir as triwulan_berakhir, (p.penuh and p.berakhir) as wajib_lapor
        from public.kemitraan m
       cross join lateral generate_series(
               ${quarterOf('coalesce(m.tgl_mulai, m.tgl_kesepakatan)')},
               least(${quarterOf('m.tgl_berakhir')}, ${quarterOf('analytics.tanggal_acuan()')}),
               interval '3 months') q(awal)
       cross join lateral (
               select coalesce(m.tgl_mulai, m.tgl_kesepakatan) <= q.awal::date
                        and (m.tgl_berakhir is null or m.tgl_berakhir >= (q.awal + interval '3 months' - interval '1 day')::date) as penuh,
                      (q.awal + interval '3 months')::date <= analytics.tanggal_acuan() as berakhir) p
        left join public.kemitraan_realisasi r
               on r.id_kemitraan = m.id_kemitraan and r.deleted_at is null and ${FINISHED('r')}
              and r.tahun = extract(year from q.awal)::int and r.triwulan = extract(quarter from q.awal)::int
       where m.deleted_at is null and ${FINISHED('m')};

    create view analytics.rantai_pasok as
      select m.id_kemitraan, m.nib_ub, m.nama_ub, m.kbli_ub, coalesce(km.komoditas, 'Lainnya') as komoditas,
             m.objek_kemitraan, analytics.volume_baku(m.volume, m.satuan) as volume_disepakati,
             analytics.satuan_baku(m.satuan) as satuan, analytics.volume_ton(m.volume, m.satuan) as volume_ton,
             m.periode_volume, ${ID_MITRA_UMKM} as id_mitra_umkm, coalesce(m.nama_umkm, pu.nama_perseroan) as nama_mitra,
             m.nik_umkm_masked,
             (m.nib_umkm is null) as mitra_perorangan, coalesce(km.kelompok_mitra, kk.kelompok_mitra) as kelompok_mitra,
             case when m.nib_umkm is null then m.kd_kecamatan else pu.kd_kecamatan end as kecamatan_mitra,
             m.status_kemitraan,
             -- appended beyond the report's minimum
             kec.nama as nama_kecamatan_mitra,
             case when m.nib_umkm is not null and pu.kd_kecamatan is not null then 'domisili'
                  when m.nib_umkm is null and m.kd_kecamatan is not null then 'lokasi_kemitraan' end as asal_kecamatan_mitra,
             m.nib_umkm, m.kbli_umkm, m.pola_kemitraan, m.nilai_kemitraan, m.satuan as satuan_asli,
             analytics.volume_baku(m.volume, m.satuan) * analytics.faktor_triwulan(m.periode_volume) as volume_disepakati_triwulan,
             analytics.volume_ton(m.volume, m.satuan) * analytics.faktor_triwulan(m.periode_volume) as volume_ton_triwulan,
             km.urutan as aturan_komoditas
        from public.kemitraan m
        left join public.pelaku_usaha pu on pu.nib = m.nib_umkm and ${FINISHED('pu')}
        -- The buyer's own name is no commodity: 'ikan segar … untuk bahan baku CV PINDANG JAYA' is fresh fish.
        left join lateral (
               select r.urutan, r.komoditas, r.kelompok_mitra from public.ref_komoditas r
                where replace(lower(m.objek_kemitraan), lower(coalesce(m.nama_ub, '')), ' ') ~* r.pattern
                order by r.urutan limit 1) km on true
        left join lateral (
               select g.kelompok_mitra from public.ref_kelompok_kbli g
                where m.kbli_umkm like g.kbli || '%' order by length(g.kbli) desc limit 1) kk on true
        left join public.ref_kecamatan kec
               on kec.kd_kecamatan = case when m.nib_umkm is null then m.kd_kecamatan else pu.kd_kecamatan end
       where m.deleted_at is null and ${FINISHED('m')} and m.volume is not null and analytics.satuan_baku(m.satuan) is not null;

    create view analytics.rantai_pasok_triwulan as
      select rp.id_kemitraan, rp.komoditas, rp.nib_ub, kt.tahun, kt.triwulan,
             case when analytics.satuan_baku(s.satuan) = rp.satuan then analytics.volume_baku(kt.volume_realisasi, s.satuan)
                  when rp.satuan = 'ton' then analytics.volume_ton(kt.volume_realisasi, s.satuan)
                  when rp.satuan = 'kg' then analytics.volume_ton(kt.volume_realisasi, s.satuan) * 1000
             end as volume_realisasi,
             analytics.volume_ton(kt.volume_realisasi, s.satuan) as volume_realisasi_ton, kt.nilai_realisasi,
             -- appended beyond the report's minimum
             kt.awal_triwulan, rp.satuan, rp.volume_disepakati_triwulan, rp.volume_ton_triwulan, kt.ada_realisasi,
             kt.wajib_lapor, rp.id_mitra_umkm, rp.kelompok_mitra, rp.kecamatan_mitra, rp.status_kemitraan
        from analytics.rantai_pasok rp
        join analytics.kemitraan_triwulan kt on kt.id_kemitraan = rp.id_kemitraan
       cross join lateral (select coalesce(kt.satuan, rp.satuan_asli) as satuan) s;

    create view analytics.kemitraan_per_ub as
      select x.nib_ub, coalesce(ub.nama_perseroan, x.nama_ub) as nama_ub, x.kbli_ub, analytics.kbli_seksi(x.kbli_ub) as seksi_ub,
             x.jumlah_kemitraan, x.jumlah_berjalan, x.jumlah_mitra_umkm, x.nilai_disepakati, x.nilai_realisasi_total,
             round(x.nilai_realisasi_total / nullif(x.nilai_disepakati, 0), 4) as rasio_realisasi,
             -- appended beyond the report's minimum
             x.nilai_terdaftar
        from (
          select m.nib_ub, max(m.nama_ub) as nama_ub, mode() within group (order by m.kbli_ub) as kbli_ub,
                 count(*)::int as jumlah_kemitraan,
                 (count(*) filter (where m.status_kemitraan = '03'))::int as jumlah_berjalan,
                 count(distinct ${ID_MITRA_UMKM})::int as jumlah_mitra_umkm,
                 sum(m.nilai_kemitraan) filter (where m.status_kemitraan in ('03', '05')) as nilai_disepakati,
                 sum(r.nilai) filter (where m.status_kemitraan in ('03', '05')) as nilai_realisasi_total,
                 sum(m.nilai_kemitraan) as nilai_terdaftar
            from public.kemitraan m
            left join (
                   select t.id_kemitraan, sum(t.nilai_realisasi) as nilai from analytics.kemitraan_triwulan t group by t.id_kemitraan
                 ) r on r.id_kemitraan = m.id_kemitraan
           where m.deleted_at is null and ${FINISHED('m')} and m.nib_ub is not null
           group by m.nib_ub
        ) x
        left join public.pelaku_usaha ub on ub.nib = x.nib_ub and ${FINISHED('ub')};

    grant select on ${NEW_VIEWS.map((v) => `analytics.${v}`).join(', ')} to oss_analyst;
  `);

  await commentEverything(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop view if exists ${[...NEW_VIEWS]
      .reverse()
      .map((v) => `analytics.${v}`)
      .join(', ')};
    drop function if exists ${FUNCTIONS.map((f) => `analytics.${f}`).join(', ')};
    drop table if exists ref_code, ref_komoditas, ref_kelompok_kbli;
  `);
}

/** Writes the comments below on every analytics view and column; fails naming any left without one. */
async function commentEverything(knex: Knex): Promise<void> {
  const r = await knex.raw(`
    select c.relname as view, a.attname as col, obj_description(c.oid, 'pg_class') as view_comment,
           col_description(c.oid, a.attnum) as col_comment
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     where n.nspname = 'analytics' and c.relkind = 'v'
     order by c.relname, a.attnum`);
  const rows = r.rows as Array<{ view: string; col: string; view_comment: string | null; col_comment: string | null }>;
  const statements: string[] = [];
  const missing: string[] = [];
  const say = (target: string, text: string) => {
    if (text.includes('?')) throw new Error(`comment on ${target} contains a question mark (a knex binding)`);
    statements.push(`comment on ${target} is ${sqlText(text)};`);
  };
  for (const view of new Set(rows.map((row) => row.view))) {
    const text = VIEW_COMMENTS[view];
    if (text) say(`view analytics.${view}`, text);
    else if (!rows.find((row) => row.view === view)?.view_comment) missing.push(`view ${view}`);
  }
  for (const row of rows) {
    const text = COLUMN_COMMENTS[row.view]?.[row.col] ?? COMMON_COLUMNS[row.col];
    if (text) say(`column analytics.${row.view}.${row.col}`, text);
    else if (!row.col_comment) missing.push(`${row.view}.${row.col}`);
  }
  if (missing.length) throw new Error(`analytics objects without a comment: ${missing.join(', ')}`);
  for (const f of FUNCTIONS) {
    const text = FUNCTION_COMMENTS[f];
    if (!text) throw new Error(`function analytics.${f} has no comment`);
    say(`function analytics.${f}`, text);
  }
  await knex.raw(statements.join('\n'));
}

const FUNCTION_COMMENTS: Readonly<Record<string, string>> = {
  'kbli_seksi(text)':
    'Kategori (seksi) KBLI 2020 dari 2 digit pertama kode KBLI, A sampai U; null bila bukan kode KBLI / KBLI 2020 section (A to U) of a KBLI code from its 2-digit division; null when not a KBLI code',
  'satuan_baku(text)':
    'Satuan baku dari satuan yang ditulis di OSS: ton, kg, liter atau unit (pcs, buah, lembar …); null bila tidak dikenal / Normalized unit of an OSS unit text: ton, kg, liter or unit (pcs, buah, lembar …); null when unknown',
  'volume_baku(numeric, text)':
    'Volume dalam satuan baku (mis. 5 kuintal = 0,5 ton); null bila satuan tidak dikenal / Volume in the normalized unit (e.g. 5 kuintal = 0.5 ton); null when the unit is unknown',
  'volume_ton(numeric, text)':
    'Volume dalam ton untuk satuan berat (ton, kuintal, kg, gram); null untuk satuan lain / Volume in tonnes for mass units (ton, kuintal, kg, gram); null for other units',
  'faktor_triwulan(text)':
    'Pengali volume per periode (hari, minggu, bulan, triwulan, semester, tahun) menjadi volume per triwulan; null bila periode tidak dikenal / Factor from a volume per period (day, week, month, quarter, half-year, year) to a volume per quarter; null when unknown',
  'tanggal_acuan()':
    'Tanggal acuan (hari ini WIB), atau tanggal yang diatur dengan set analytics.tanggal_acuan = YYYY-MM-DD; menentukan triwulan berjalan / Reference date (today in WIB), or the date set with set analytics.tanggal_acuan = YYYY-MM-DD; decides the current quarter',
};

const VIEW_COMMENTS: Readonly<Record<string, string>> = {
  pelaku_usaha:
    'Pelaku usaha (NIB) dari OSS, hanya data dari sinkronisasi yang selesai / Business actors (NIB) from OSS, data of finished syncs only',
  proyek:
    'Proyek (kegiatan usaha per lokasi) dengan KBLI dan tingkat risiko; lokasi utama sebagai wilayah / Projects (business activities per location) with KBLI and risk level; the main location gives the region',
  proyek_lokasi: 'Lokasi proyek dengan koordinat / Project locations with coordinates',
  perizinan:
    'Perizinan (izin, sertifikat standar, PB UMKU) per proyek dan statusnya di OSS / Licences (permits, standard certificates, UMKU) per project and their OSS status',
  kemitraan:
    'Kesepakatan kemitraan antara usaha besar (UB) dan UMKM; NIK mitra hanya disamarkan / Partnership agreements between a large business (UB) and an UMKM; the partner NIK only masked',
  kemitraan_realisasi:
    'Realisasi kemitraan per triwulan (LKPM) seperti dikirim OSS / Quarterly partnership realisation (LKPM) as OSS sends it',
  sync_runs:
    'Riwayat sinkronisasi (jadwal, manual, push, impor) / History of sync runs (schedule, manual, push, import)',
  quarantine:
    'Rekaman OSS yang ditolak validasi (karantina) beserta alasannya / OSS records refused by validation (quarantine) with the reasons',
  change_history: 'Riwayat perubahan nilai per kolom / History of value changes per column',
  discrepancies:
    'Temuan (ketidaksesuaian) untuk diverifikasi petugas daerah / Findings (discrepancies) for the regional verifiers',
  discrepancy_counts:
    'Jumlah temuan per aturan, tingkat, status dan kecamatan / Number of findings per rule, severity, status and kecamatan',
  discrepancy_events:
    'Riwayat setiap temuan: terdeteksi, transisi status, perubahan bukti, selesai / History of each finding: detected, status transitions, evidence changes, resolved',
  imports: 'Impor file ekspor dasbor OSS / Imports of OSS dashboard export files',
  push_inbox:
    'Kiriman receiveNIB dari OSS (push) dan nasibnya: diterapkan, ditolak, menunggu / receiveNIB pushes from OSS and their outcome: applied, rejected, pending',
  label_pola_kemitraan:
    'Label kode pola kemitraan (src/domain/codes.ts POLA_KEMITRAAN) / Labels of the partnership pattern codes',
  label_status_kemitraan: 'Label kode status kemitraan (STATUS_KEMITRAAN) / Labels of the partnership status codes',
  label_skala_usaha: 'Label kode skala usaha (PIA L31) / Labels of the business scale codes (PIA L31)',
  label_status_penanaman_modal:
    'Label kode status penanaman modal (PIA L1) / Labels of the investment status codes (PIA L1)',
  label_status_nib: 'Label kode status NIB (PIA L14) / Labels of the NIB status codes (PIA L14)',
  label_jenis_izin: 'Label kode jenis izin (PIA L27) / Labels of the licence type codes (PIA L27)',
  label_status_izin: 'Label kode status izin (PIA Lampiran 10) / Labels of the licence status codes (PIA appendix 10)',
  label_jenis_perseroan:
    'Label kode jenis perseroan (PIA L2, yang dipakai di wilayah) / Labels of the company type codes (PIA L2, those used in the region)',
  label_kbli_seksi:
    'Kategori (seksi) KBLI 2020 A sampai U dengan judul dan golongan pokoknya / KBLI 2020 sections A to U with their titles and divisions',
  label_kbli:
    'Judul KBLI 2020 (config/reference/kbli.json) dengan kategorinya / KBLI 2020 titles (config/reference/kbli.json) with their section',
  label_kecamatan:
    'Nama kecamatan per kode Kemendagri (config/reference/wilayah.json) / Kecamatan names per Kemendagri code',
  label_komoditas:
    'Aturan normalisasi komoditas dari objek_kemitraan (config/reference/komoditas.json): aturan pertama yang cocok berlaku / Commodity normalization rules for objek_kemitraan: the first matching rule wins',
  label_kelompok_kbli:
    'Kelompok mitra menurut awalan KBLI UMKM, bila aturan komoditas tidak menentukannya (awalan terpanjang berlaku) / Partner group by UMKM KBLI prefix, when the commodity rule does not set one (longest prefix wins)',
  kemitraan_triwulan:
    'Satu baris per kemitraan (tidak ditarik) dan triwulan kalender, dari triwulan tgl_mulai (atau tgl_kesepakatan) sampai triwulan tgl_berakhir atau triwulan berjalan (WIB), mana yang lebih dulu, dengan realisasinya; realisasi di luar masa itu tidak tampil di sini / One row per partnership (not withdrawn) and calendar quarter, from the quarter of tgl_mulai (or tgl_kesepakatan) to the earlier of the quarter of tgl_berakhir and the current quarter (WIB), with its realisation; realisation outside that term is not shown here',
  rantai_pasok:
    'Rantai pasok: satu baris per kemitraan (tidak ditarik) dengan volume yang disepakati dalam satuan dikenal (ton, kg, liter, unit), komoditas ternormalisasi dan mitra pemasoknya / Supply chains: one row per partnership (not withdrawn) with an agreed volume in a known unit, its normalized commodity and supplying partner',
  rantai_pasok_triwulan:
    'Rantai pasok per triwulan masa kemitraan (dari kemitraan_triwulan): volume disepakati dan volume realisasi / Supply chains per quarter of the partnership term (from kemitraan_triwulan): agreed and realised volume',
  kemitraan_per_ub:
    'Ringkasan per usaha besar (UB): jumlah kemitraan dan mitra UMKM, nilai disepakati dan realisasi, rasio realisasi / Summary per large business (UB): partnerships and UMKM partners, agreed and realised value, realisation rate',
};

/** Columns that mean the same in every view, unless the view's own entry below says otherwise. */
const COMMON_COLUMNS: Readonly<Record<string, string>> = {
  nib: 'NIB (Nomor Induk Berusaha, 13 digit) / Business identification number (NIB, 13 digits)',
  id_proyek: 'ID proyek OSS / OSS project id',
  id_kemitraan: 'ID kemitraan OSS (K-…) / OSS partnership id (K-…)',
  nib_ub: 'NIB usaha besar (UB) / NIB of the large business (UB)',
  nama_ub: 'Nama usaha besar (UB) seperti pada kesepakatan / Name of the large business (UB) as in the agreement',
  kbli_ub: 'KBLI 2020 usaha besar pada kesepakatan / KBLI 2020 code of the large business in the agreement',
  id_mitra_umkm:
    'Identitas mitra UMKM: NIB, atau nik: + awal hash NIK bila tanpa NIB / UMKM partner identity: the NIB, or nik: + the start of the NIK hash',
  nik_umkm_masked:
    'NIK mitra UMKM yang disamarkan (4 digit awal dan akhir); NIK lengkap tidak pernah disimpan / Masked NIK of the UMKM partner (first and last 4 digits); the full NIK is never stored',
  pola_kemitraan:
    'Kode pola kemitraan (label di label_pola_kemitraan), mis. 06 Rantai Pasok / Partnership pattern code (labels in label_pola_kemitraan), e.g. 06 Rantai Pasok',
  status_kemitraan:
    'Kode status kemitraan (label di label_status_kemitraan): 03 Berjalan, 05 Selesai, 06 Dibatalkan … / Partnership status code (labels in label_status_kemitraan): 03 running, 05 finished, 06 cancelled …',
  tahun: 'Tahun kalender / Calendar year',
  triwulan: 'Triwulan kalender 1 sampai 4 / Calendar quarter 1 to 4',
  nilai_realisasi: 'Nilai realisasi triwulan (Rp) / Realised value for the quarter (IDR)',
  kd_daerah: 'Kode wilayah Kemendagri 10 digit / Kemendagri region code, 10 digits',
  kecamatan: 'Nama kecamatan / Kecamatan (district) name',
  kd_kecamatan:
    'Kode kecamatan Kemendagri 6 digit (mis. 331714 Lasem; nama di label_kecamatan) / Kemendagri kecamatan code, 6 digits (e.g. 331714 Lasem; names in label_kecamatan)',
  skala_usaha:
    'Kode skala usaha: 01 Mikro, 02 Kecil, 03 Menengah, 04 Besar (label_skala_usaha) / Business scale code: 01 micro, 02 small, 03 medium, 04 large',
  source:
    'Sumber data terakhir: metode API OSS (mis. listKemitraan, inqueryNIB), push atau ekspor OSS / Last data source: the OSS API method (e.g. listKemitraan, inqueryNIB), a push or an OSS export',
  updated_at: 'Waktu oss-sync terakhir mengubah baris ini / When oss-sync last changed this row',
  deleted_at:
    'Waktu data dinyatakan ditarik atau dihapus dari OSS; null bila masih ada / When the record was found withdrawn or deleted in OSS; null while it exists',
  run_id: 'ID sinkronisasi (analytics.sync_runs.id) / Sync run id (analytics.sync_runs.id)',
  first_run_id: 'ID sinkronisasi yang pertama kali mencatat / Id of the sync run that first recorded it',
  last_run_id: 'ID sinkronisasi yang terakhir mencatat / Id of the sync run that last recorded it',
  entity_type:
    'Jenis entitas: pelaku_usaha, proyek, perizinan atau kemitraan / Entity type: pelaku_usaha, proyek, perizinan or kemitraan',
  entity_id:
    'ID entitas di OSS (nib, id_proyek, id_izin, id_kemitraan) / The entity OSS id (nib, id_proyek, id_izin, id_kemitraan)',
  rule_code: 'Kode aturan temuan (mis. NO_REALISATION) / Discrepancy rule code (e.g. NO_REALISATION)',
  rule_title: 'Judul aturan temuan / Title of the discrepancy rule',
  severity: 'Tingkat temuan: error, warning, info / Finding severity: error, warning, info',
  requested_by: 'Yang meminta (pengguna, jadwal atau OSS) / Who requested it (user, schedule or OSS)',
  started_at: 'Waktu mulai / Start time',
  finished_at: 'Waktu selesai; null bila masih berjalan / End time; null while running',
  counts:
    'Jumlah per aliran: diambil, disisipkan, diubah, tidak berubah, ditolak, dihapus (JSON) / Counts per stream: fetched, inserted, updated, unchanged, rejected, deleted (JSON)',
  error: 'Pesan kesalahan bila gagal / Error message when it failed',
  satuan:
    'Satuan volume seperti ditulis di OSS (mis. ton, kg, pcs) / Volume unit as written in OSS (e.g. ton, kg, pcs)',
  note: 'Catatan petugas verifikasi / Verifier note',
  kode: 'Kode seperti dikirim OSS / The code as OSS sends it',
  label:
    'Arti kode dalam bahasa Indonesia (src/domain/codes.ts) / Meaning of the code, in Indonesian (src/domain/codes.ts)',
};

const COLUMN_COMMENTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  pelaku_usaha: {
    nama: 'Nama perseroan atau pelaku usaha / Company or business name',
    flag_umk: 'Penanda usaha mikro dan kecil dari OSS (Y/N) / OSS micro-and-small business flag (Y/N)',
    status_penanaman_modal:
      'Kode status penanaman modal: 01 PMA, 02 PMDN, 03 Bukan PMA/PMDN (label_status_penanaman_modal) / Investment status code: 01 foreign, 02 domestic, 03 neither',
    status_nib:
      'Kode status NIB (label_status_nib), mis. 01 Aktif / NIB status code (label_status_nib), e.g. 01 active',
    kd_daerah:
      'Kode wilayah Kemendagri domisili perseroan (10 digit) / Kemendagri region code of the company domicile (10 digits)',
    kecamatan: 'Nama kecamatan domisili / Kecamatan of the domicile',
    kd_kecamatan: 'Kode kecamatan domisili (6 digit) / Kecamatan code of the domicile (6 digits)',
    tgl_pengajuan_nib: 'Tanggal pengajuan NIB / NIB application date',
    tgl_terbit_nib: 'Tanggal terbit NIB / NIB issue date',
    tgl_perubahan_nib: 'Tanggal perubahan terakhir data NIB / Date of the last NIB data change',
    oss_id: 'ID pengguna OSS pemilik NIB (P02-…) / OSS user id owning the NIB (P02-…)',
    jenis_pelaku_usaha:
      'Kode jenis pelaku usaha (PIA L18): 01 Badan Usaha, 02 Perseorangan … / Business actor type code (PIA L18): 01 entity, 02 individual …',
    jenis_perseroan:
      'Kode jenis perseroan (PIA L2, label_jenis_perseroan): 01 PT, 02 CV, 07 Koperasi … / Company type code (PIA L2): 01 PT, 02 CV, 07 cooperative …',
    npwp_perseroan:
      'NPWP perseroan 16 digit; disamarkan bila NPWP adalah NIK perorangan / Company tax number (NPWP, 16 digits); masked when it is an individual NIK',
    alamat_perseroan: 'Alamat perseroan / Company address',
    kelurahan_perseroan: 'Kelurahan atau desa perseroan / Company village (kelurahan or desa)',
    total_modal_dasar: 'Total modal dasar (Rp) / Total authorised capital (IDR)',
    total_modal_ditempatkan: 'Total modal ditempatkan (Rp) / Total issued capital (IDR)',
    persen_pma: 'Persentase modal asing / Share of foreign capital (percent)',
    kd_dni:
      'Kode persyaratan bidang usaha (PIA L15), mis. 65 kemitraan dengan UMKM / Business field requirement codes (PIA L15), e.g. 65 partnership with UMKM',
  },
  proyek: {
    nib: 'NIB pemilik proyek / NIB owning the project',
    kbli: 'Kode KBLI 2020 proyek (5 digit; judul di label_kbli) / KBLI 2020 code of the project (5 digits; titles in label_kbli)',
    judul_kbli: 'Judul KBLI 2020 / KBLI 2020 title',
    skala_usaha: 'Kode skala usaha proyek (label_skala_usaha) / Business scale code of the project',
    skala_resiko:
      'Tingkat risiko: R rendah, MR menengah rendah, MT menengah tinggi, T tinggi / Risk level: R low, MR medium-low, MT medium-high, T high',
    jumlah_investasi: 'Jumlah investasi proyek (Rp) / Project investment total (IDR)',
    kd_daerah: 'Kode wilayah lokasi utama proyek (10 digit) / Region code of the main project location (10 digits)',
    kecamatan: 'Kecamatan lokasi utama proyek / Kecamatan of the main project location',
    kd_kecamatan: 'Kode kecamatan lokasi utama proyek / Kecamatan code of the main project location',
    uraian_usaha: 'Uraian kegiatan usaha / Description of the business activity',
    nama_kegiatan: 'Nama kegiatan atau nama usaha / Activity or trade name',
    tgl_pengajuan_proyek: 'Tanggal pengajuan proyek / Project application date',
    jumlah_tki_l: 'Jumlah tenaga kerja Indonesia laki-laki / Indonesian male workers',
    jumlah_tki_p: 'Jumlah tenaga kerja Indonesia perempuan / Indonesian female workers',
  },
  proyek_lokasi: {
    id_proyek_lokasi: 'ID lokasi proyek OSS / OSS project location id',
    kd_daerah: 'Kode wilayah lokasi (10 digit) / Region code of the location (10 digits)',
    kecamatan: 'Kecamatan lokasi / Kecamatan of the location',
    alamat_usaha: 'Alamat lokasi usaha / Address of the business location',
    status_lokasi:
      'Kode status lokasi (PIA L25): 01 Lokasi Utama, 02 Hamparan / Location status code: 01 main, 02 spread',
    lat: 'Lintang (derajat, WGS84) / Latitude (degrees, WGS84)',
    lng: 'Bujur (derajat, WGS84) / Longitude (degrees, WGS84)',
  },
  perizinan: {
    id_izin: 'ID izin OSS / OSS licence id',
    nib: 'NIB pemegang izin / NIB holding the licence',
    jenis_izin:
      'Kode jenis izin (PIA L27, label_jenis_izin): 01 Izin Dasar, 02 Izin, 04 Sertifikat Standar … / Licence type code (PIA L27)',
    kd_izin: 'Kode izin OSS / OSS licence code',
    nama_izin: 'Nama izin / Licence name',
    kd_status:
      'Kode status izin (PIA Lampiran 10, label_status_izin), mis. 50 Disetujui / Licence status code (PIA appendix 10), e.g. 50 approved',
    uraian_status: 'Uraian status izin dari OSS / Licence status text from OSS',
    kd_daerah: 'Kode wilayah kewenangan izin (10 digit) / Region code of the licensing authority (10 digits)',
    kewenangan: 'Kewenangan: 00 Pusat, 01 Provinsi, 02 Kabupaten/Kota / Authority: 00 central, 01 province, 02 regency',
    flag_checklist:
      'Penanda checklist (PIA L28): Y Komitmen, N Tidak Komitmen, O Otomatis Terbit, T Tembusan / Checklist flag (PIA L28)',
    no_izin: 'Nomor izin / Licence number',
    tgl_izin: 'Tanggal izin / Licence date',
    status_checked_at:
      'Waktu oss-sync terakhir memeriksa status izin (checkLicenseStatus) / When oss-sync last checked the licence status',
  },
  kemitraan: {
    nib_umkm:
      'NIB mitra UMKM; null untuk mitra perorangan tanpa NIB / NIB of the UMKM partner; null for an individual without NIB',
    nama_umkm: 'Nama mitra UMKM seperti pada kesepakatan / UMKM partner name as in the agreement',
    skala_usaha_umkm: 'Kode skala usaha mitra UMKM (label_skala_usaha) / Business scale code of the UMKM partner',
    nilai_kemitraan: 'Nilai kemitraan yang disepakati (Rp) / Agreed partnership value (IDR)',
    tgl_kesepakatan: 'Tanggal kesepakatan / Agreement date',
    tgl_mulai: 'Tanggal mulai kemitraan / Partnership start date',
    tgl_berakhir: 'Tanggal berakhir kemitraan; null bila tanpa batas / Partnership end date; null when open-ended',
    kd_daerah_pelaksanaan:
      'Kode wilayah pelaksanaan kemitraan (10 digit) / Region code where the partnership is carried out (10 digits)',
    kecamatan: 'Kecamatan pelaksanaan kemitraan / Kecamatan where the partnership is carried out',
    kd_kecamatan: 'Kode kecamatan pelaksanaan kemitraan / Kecamatan code where the partnership is carried out',
    kbli_umkm: 'KBLI 2020 mitra UMKM pada kesepakatan / KBLI 2020 code of the UMKM partner in the agreement',
    id_proyek_ub: 'ID proyek usaha besar yang bermitra / Project id of the large business in the partnership',
    objek_kemitraan:
      'Objek kemitraan (teks bebas), mis. pasokan ikan segar / Partnership object (free text), e.g. fresh fish supply',
    volume: 'Volume yang disepakati per periode_volume / Agreed volume per periode_volume',
    satuan: 'Satuan volume yang disepakati seperti ditulis di OSS / Unit of the agreed volume as written in OSS',
    periode_volume: 'Periode volume yang disepakati: bulan atau tahun / Period of the agreed volume: month or year',
    no_dokumen: 'Nomor dokumen kesepakatan / Agreement document number',
    url_dokumen: 'Alamat dokumen kesepakatan di OSS / URL of the agreement document in OSS',
    tgl_pengajuan: 'Waktu pengajuan kemitraan di OSS / When the partnership was submitted in OSS',
    tgl_perubahan: 'Waktu perubahan terakhir di OSS / When OSS last changed it',
  },
  kemitraan_realisasi: {
    volume_realisasi: 'Volume realisasi triwulan / Realised volume for the quarter',
    satuan: 'Satuan volume realisasi seperti ditulis di OSS / Unit of the realised volume as written in OSS',
    sumber: 'Sumber laporan realisasi, mis. LKPM / Source of the realisation report, e.g. LKPM',
  },
  sync_runs: {
    id: 'ID sinkronisasi / Sync run id',
    trigger: 'Pemicu: schedule, manual, push, import / Trigger: schedule, manual, push, import',
    reason: 'Alasan yang dicatat peminta / Reason given by the requester',
    scope:
      'Cakupan: aliran, penuh atau inkremental, file impor (JSON) / Scope: streams, full or incremental, import file (JSON)',
    status: 'Status: running, succeeded, partial, failed / Status: running, succeeded, partial, failed',
    streams: 'Hasil per aliran: status, jumlah, catatan (JSON) / Result per stream: status, counts, note (JSON)',
  },
  quarantine: {
    id: 'ID karantina / Quarantine id',
    stream: 'Aliran asal: kemitraan, nib, izin / Stream it came from: kemitraan, nib, izin',
    source: 'Metode OSS atau ekspor asal rekaman / OSS method or export the record came from',
    entity_id: 'ID entitas bila terbaca / Entity id when readable',
    location:
      'Letak rekaman di sumber: metode, halaman, baris (JSON) / Where the record was in the source: method, page, row (JSON)',
    issues: 'Masalah validasi (zod) per kolom (JSON) / Validation issues (zod) per field (JSON)',
    payload:
      'Rekaman seperti diterima, identitas disamarkan (JSON) / The record as received, identity numbers masked (JSON)',
    first_run_id: 'ID sinkronisasi yang pertama kali menolaknya / Id of the sync run that first refused it',
    first_seen_at: 'Waktu pertama kali ditolak / When it was first refused',
    resolved_at:
      'Waktu OSS mengirim versi yang valid; null bila masih dikarantina / When OSS sent a valid version; null while quarantined',
  },
  change_history: {
    id: 'ID perubahan / Change id',
    field: 'Kolom yang berubah / Column that changed',
    old_value: 'Nilai lama (JSON) / Old value (JSON)',
    new_value: 'Nilai baru (JSON) / New value (JSON)',
    changed_at: 'Waktu perubahan dicatat / When the change was recorded',
  },
  discrepancies: {
    id: 'ID temuan / Finding id',
    kd_daerah: 'Kode wilayah entitas temuan (10 digit) / Region code of the finding entity (10 digits)',
    kecamatan: 'Kecamatan tempat temuan / Kecamatan of the finding',
    kd_kecamatan: 'Kode kecamatan tempat temuan / Kecamatan code of the finding',
    status:
      'Status verifikasi: open, in_review, confirmed, dismissed, resolved / Verification status: open, in_review, confirmed, dismissed, resolved',
    message: 'Uraian temuan dalam bahasa Indonesia / Finding description in Indonesian',
    evidence:
      'Bukti: nilai yang dibandingkan, identitas disamarkan (JSON) / Evidence: compared values, identity numbers masked (JSON)',
    first_seen_at: 'Waktu pertama terdeteksi / When first detected',
    last_seen_at: 'Waktu terakhir terdeteksi / When last detected',
    verified_by: 'Petugas yang memverifikasi / Verifier who decided',
    verified_at: 'Waktu verifikasi / When it was verified',
    status_changed_at: 'Waktu status terakhir berubah / When the status last changed',
    resolved_at: 'Waktu temuan selesai (data OSS sudah sesuai) / When it was resolved (the OSS data fits again)',
    resolved_run_id: 'ID sinkronisasi yang menyelesaikan temuan / Id of the sync run that resolved it',
    reopen_count: 'Berapa kali temuan dibuka kembali / How many times it was reopened',
  },
  discrepancy_counts: {
    status: 'Status verifikasi temuan / Verification status of the findings',
    kd_kecamatan: 'Kode kecamatan tempat temuan / Kecamatan code of the findings',
    kecamatan: 'Kecamatan tempat temuan / Kecamatan of the findings',
    findings: 'Jumlah temuan / Number of findings',
  },
  discrepancy_events: {
    id: 'ID kejadian / Event id',
    finding_id: 'ID temuan (discrepancies.id) / Finding id (discrepancies.id)',
    at: 'Waktu kejadian / When it happened',
    kind: 'Jenis kejadian: detected, transition, evidence_changed, resolved, reopened, assigned / Event kind: detected, transition, evidence_changed, resolved, reopened, assigned',
    from_status: 'Status sebelum / Status before',
    to_status: 'Status sesudah / Status after',
    actor: 'Pelaku: petugas atau sistem / Actor: a verifier or the system',
    note: 'Catatan pada kejadian / Note on the event',
  },
  imports: {
    id: 'ID impor (sync_runs.id) / Import id (sync_runs.id)',
    status: 'Status impor: running, succeeded, partial, failed / Import status',
    file: 'Nama file yang diimpor / Imported file name',
    sha256: 'Sidik SHA-256 file / SHA-256 of the file',
    export_type: 'Jenis ekspor dasbor OSS / OSS dashboard export type',
    snapshot_date: 'Tanggal data ekspor / Date the export data is current as of',
    counts: 'Jumlah baris per hasil (JSON) / Row counts per outcome (JSON)',
  },
  push_inbox: {
    id: 'ID kiriman / Push id',
    method: 'Metode push OSS, mis. receiveNIB / OSS push method, e.g. receiveNIB',
    received_at: 'Waktu diterima / When it was received',
    nib: 'NIB dalam kiriman / NIB in the push',
    status: 'Status: pending, applied, rejected / Status: pending, applied, rejected',
    reject_reason: 'Alasan penolakan / Why it was rejected',
    token_ok: 'Token OSS benar / The OSS token was valid',
    body_bytes: 'Ukuran isi kiriman (byte) / Body size (bytes)',
    attempts: 'Jumlah percobaan menerapkan / Attempts to apply it',
    last_error: 'Kesalahan percobaan terakhir / Error of the last attempt',
    last_attempt_at: 'Waktu percobaan terakhir / When it was last attempted',
    next_attempt_at: 'Waktu percobaan berikutnya / When it is next attempted',
    applied_at: 'Waktu diterapkan ke data / When it was applied to the data',
    run_id: 'ID sinkronisasi push yang menerapkannya / Id of the push run that applied it',
  },
  label_kbli_seksi: {
    seksi: 'Huruf kategori KBLI 2020, A sampai U / KBLI 2020 section letter, A to U',
    judul_seksi: 'Judul kategori KBLI 2020 / KBLI 2020 section title',
    golongan_pokok:
      'Golongan pokok (2 digit awal KBLI) dalam kategori, mis. 10-33 / Divisions (first 2 KBLI digits) in the section, e.g. 10-33',
  },
  label_kbli: {
    kbli: 'Kode KBLI 2020 (5 digit) / KBLI 2020 code (5 digits)',
    judul: 'Judul KBLI 2020 / KBLI 2020 title',
    seksi: 'Huruf kategori KBLI 2020 (analytics.kbli_seksi) / KBLI 2020 section letter (analytics.kbli_seksi)',
    judul_seksi: 'Judul kategori KBLI 2020 / KBLI 2020 section title',
  },
  label_kecamatan: {
    kd_kecamatan: 'Kode kecamatan Kemendagri (6 digit) / Kemendagri kecamatan code (6 digits)',
    nama: 'Nama kecamatan / Kecamatan name',
  },
  label_komoditas: {
    urutan: 'Urutan aturan: yang pertama cocok berlaku / Rule order: the first that matches wins',
    pattern:
      'Ekspresi reguler Postgres (tanpa beda huruf besar/kecil) atas objek_kemitraan / Postgres regular expression (case-insensitive) over objek_kemitraan',
    komoditas: 'Komoditas ternormalisasi / Normalized commodity',
    kelompok_mitra:
      'Kelompok mitra (mis. Nelayan); null: ditentukan KBLI UMKM / Partner group (e.g. fishermen); null: the UMKM KBLI decides',
    source: 'Asal aturan / Where the rule comes from',
  },
  label_kelompok_kbli: {
    kbli: 'Awalan KBLI 2020 (2 sampai 5 digit) / KBLI 2020 prefix (2 to 5 digits)',
    kelompok_mitra: 'Kelompok mitra untuk KBLI itu / Partner group for that KBLI',
  },
  kemitraan_triwulan: {
    kd_kecamatan: 'Kode kecamatan pelaksanaan kemitraan / Kecamatan code where the partnership is carried out',
    tahun: 'Tahun triwulan / Year of the quarter',
    triwulan: 'Triwulan 1 sampai 4 / Quarter 1 to 4',
    awal_triwulan: 'Tanggal pertama triwulan / First day of the quarter',
    nilai_realisasi:
      'Nilai realisasi triwulan (Rp); null bila tidak ada laporan / Realised value for the quarter (IDR); null when none was reported',
    volume_realisasi:
      'Volume realisasi triwulan dalam satuan laporan; null bila tidak ada laporan / Realised volume for the quarter in the reported unit; null when none was reported',
    satuan: 'Satuan volume realisasi seperti ditulis di OSS / Unit of the realised volume as written in OSS',
    ada_realisasi:
      'Ada realisasi dengan nilai atau volume lebih dari 0 untuk triwulan ini / A realisation with a value or volume above 0 was reported for this quarter',
    akhir_triwulan: 'Tanggal terakhir triwulan / Last day of the quarter',
    triwulan_penuh:
      'Kemitraan berlaku sepanjang triwulan (mulai paling lambat hari pertama, tidak berakhir sebelum hari terakhir) / The partnership covered the whole quarter',
    triwulan_berakhir:
      'Triwulan sudah lewat pada tanggal acuan (analytics.tanggal_acuan) / The quarter has ended by the reference date (analytics.tanggal_acuan)',
    wajib_lapor:
      'Triwulan penuh yang sudah lewat: realisasinya seharusnya sudah dilaporkan; kemitraan berkelanjutan bila ada_realisasi di setiap triwulan wajib_lapor / A full, ended quarter whose realisation is due; a partnership is continuous when ada_realisasi holds in every such quarter',
  },
  rantai_pasok: {
    nama_ub:
      'Nama usaha besar (UB) yang dipasok, seperti pada kesepakatan / Name of the large business supplied, as in the agreement',
    komoditas:
      'Komoditas ternormalisasi dari objek_kemitraan tanpa nama UB (label_komoditas); Lainnya bila tidak ada aturan yang cocok / Normalized commodity of objek_kemitraan without the UB name (label_komoditas); Lainnya when no rule matches',
    objek_kemitraan: 'Objek kemitraan seperti ditulis di OSS / Partnership object as written in OSS',
    volume_disepakati:
      'Volume yang disepakati per periode_volume, dalam satuan baku / Agreed volume per periode_volume, in the normalized unit',
    satuan: 'Satuan baku: ton, kg, liter atau unit / Normalized unit: ton, kg, liter or unit',
    volume_ton:
      'Volume yang disepakati per periode_volume dalam ton (satuan berat saja) / Agreed volume per periode_volume in tonnes (mass units only)',
    periode_volume:
      'Periode volume yang disepakati, seperti ditulis di OSS (bulan, tahun) / Period of the agreed volume as written in OSS (month, year)',
    nama_mitra:
      'Nama mitra UMKM pemasok (untuk mitra perorangan: namanya saja, NIK hanya disamarkan) / Name of the supplying UMKM partner (for an individual: the name only, the NIK masked)',
    mitra_perorangan: 'Mitra perorangan tanpa NIB, dikenali dari NIK / Individual partner without NIB, known by NIK',
    kelompok_mitra:
      'Kelompok mitra (Nelayan, Petambak garam, Pembatik …): dari aturan komoditas, selain itu dari KBLI UMKM / Partner group (fishermen, salt farmers, batik makers …): from the commodity rule, else from the UMKM KBLI',
    kecamatan_mitra:
      'Kode kecamatan mitra: domisili NIB-nya (null bila dokumen NIB belum tersimpan), atau lokasi pelaksanaan kemitraan bila tanpa NIB (NIK yang disamarkan tidak memuat kecamatan) / Kecamatan code of the partner: its NIB domicile (null while no NIB document is stored), or where the partnership is carried out when it has no NIB (the masked NIK holds no kecamatan)',
    nama_kecamatan_mitra: 'Nama kecamatan mitra / Kecamatan name of the partner',
    asal_kecamatan_mitra:
      'Asal kecamatan_mitra: domisili (NIB) atau lokasi_kemitraan (mitra tanpa NIB); null bila tidak diketahui / Where kecamatan_mitra comes from: domisili (NIB domicile) or lokasi_kemitraan (partner without NIB); null when unknown',
    nib_umkm: 'NIB mitra UMKM; null untuk mitra perorangan / NIB of the UMKM partner; null for an individual',
    kbli_umkm: 'KBLI 2020 mitra UMKM pada kesepakatan / KBLI 2020 code of the UMKM partner in the agreement',
    nilai_kemitraan: 'Nilai kemitraan yang disepakati (Rp) / Agreed partnership value (IDR)',
    satuan_asli: 'Satuan volume seperti ditulis di OSS / Volume unit as written in OSS',
    volume_disepakati_triwulan:
      'Volume yang disepakati per triwulan, dalam satuan baku (volume x faktor_triwulan) / Agreed volume per quarter, in the normalized unit',
    volume_ton_triwulan: 'Volume yang disepakati per triwulan dalam ton / Agreed volume per quarter in tonnes',
    aturan_komoditas:
      'Urutan aturan komoditas yang cocok (label_komoditas.urutan); null bila tidak ada / Order of the matching commodity rule (label_komoditas.urutan); null when none',
  },
  rantai_pasok_triwulan: {
    komoditas: 'Komoditas ternormalisasi (rantai_pasok.komoditas) / Normalized commodity (rantai_pasok.komoditas)',
    tahun: 'Tahun triwulan / Year of the quarter',
    triwulan: 'Triwulan 1 sampai 4 / Quarter 1 to 4',
    volume_realisasi:
      'Volume realisasi triwulan dalam satuan baku kesepakatan (kg dan ton saling dikonversi); null bila tidak ada laporan atau satuan tidak sebanding / Realised volume for the quarter in the agreed normalized unit (kg and ton converted); null when none or not comparable',
    volume_realisasi_ton:
      'Volume realisasi triwulan dalam ton (satuan berat saja) / Realised volume for the quarter in tonnes (mass units only)',
    nilai_realisasi: 'Nilai realisasi triwulan (Rp) / Realised value for the quarter (IDR)',
    awal_triwulan: 'Tanggal pertama triwulan / First day of the quarter',
    satuan: 'Satuan baku kesepakatan / Normalized unit of the agreement',
    volume_disepakati_triwulan:
      'Volume yang disepakati untuk satu triwulan, dalam satuan baku / Agreed volume for one quarter, in the normalized unit',
    volume_ton_triwulan:
      'Volume yang disepakati untuk satu triwulan dalam ton / Agreed volume for one quarter in tonnes',
    ada_realisasi:
      'Ada realisasi bernilai atau bervolume untuk triwulan ini / A valued realisation was reported for this quarter',
    wajib_lapor:
      'Triwulan penuh yang sudah lewat (kemitraan_triwulan.wajib_lapor) / A full, ended quarter (kemitraan_triwulan.wajib_lapor)',
    kelompok_mitra: 'Kelompok mitra (rantai_pasok.kelompok_mitra) / Partner group (rantai_pasok.kelompok_mitra)',
    kecamatan_mitra: 'Kode kecamatan mitra (rantai_pasok.kecamatan_mitra) / Kecamatan code of the partner',
  },
  kemitraan_per_ub: {
    nama_ub:
      'Nama usaha besar (dari NIB-nya, selain itu dari kesepakatan) / Name of the large business (from its NIB, else from the agreements)',
    kbli_ub:
      'KBLI 2020 usaha besar yang paling sering pada kesepakatannya / Most frequent KBLI 2020 code of the large business in its agreements',
    seksi_ub: 'Kategori KBLI 2020 usaha besar (label_kbli_seksi) / KBLI 2020 section of the large business',
    jumlah_kemitraan:
      'Jumlah kesepakatan terdaftar (semua status, tidak ditarik) / Registered agreements (every status, not withdrawn)',
    jumlah_berjalan: 'Jumlah kesepakatan berstatus 03 Berjalan / Agreements with status 03 running',
    jumlah_mitra_umkm:
      'Jumlah mitra UMKM berbeda (id_mitra_umkm) pada kesepakatan terdaftar / Distinct UMKM partners (id_mitra_umkm) of the registered agreements',
    nilai_disepakati:
      'Nilai kemitraan yang disepakati (Rp) dari kesepakatan 03 Berjalan dan 05 Selesai / Agreed partnership value (IDR) of the agreements 03 running and 05 finished',
    nilai_realisasi_total:
      'Nilai realisasi (Rp) kesepakatan 03 Berjalan dan 05 Selesai dalam masa kemitraan (kemitraan_triwulan) / Realised value (IDR) of the agreements 03 running and 05 finished within their term (kemitraan_triwulan)',
    rasio_realisasi:
      'Rasio realisasi: nilai_realisasi_total / nilai_disepakati (0 sampai 1 ke atas) / Realisation rate: nilai_realisasi_total / nilai_disepakati',
    nilai_terdaftar:
      'Nilai kemitraan (Rp) semua kesepakatan terdaftar / Partnership value (IDR) of every registered agreement',
  },
};
