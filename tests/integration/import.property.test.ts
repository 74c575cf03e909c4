/*
 * The import row mapper and router face whatever a dashboard export (or someone editing it in Excel) holds. Over
 * generated corruptions of real exports (cells replaced by random text, digits, signs, dates of every shape, huge
 * numbers, blanks), an import never throws anything but its own refusal, and nothing it stores fails the checks an
 * API record passes: identifier formats, KBLI, code tables, non-negative numbers (dates are typed columns: Postgres
 * refuses a date that is not one; a date in the future is data, flagged by DATE_INCONSISTENT as from the API).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportDeps, importExportFile } from '../../src/import/index.js';
import { type ExportCell, writeWorldExport } from '../../src/simulator/exports.js';
import { SimulatorWorld } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { silentLog } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const TYPES = ['dp_proyek', 'dp_nib_kantor', 'list_izin'] as const;

/** What a corrupted cell may become. */
const cellArb: fc.Arbitrary<ExportCell> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[0-9]{1,20}$/),
  fc.stringMatching(/^-?[0-9]{1,12}([.,][0-9]{1,3})?$/),
  fc.constantFrom('', '-', 'KOSONG', 'null', '=2+3', 'sepuluh juta', 'Raksasa', 'ABCDE', '12345', 'R-XYZ', 'I-1'),
  fc.constantFrom('2099-01-01', '31/02/2024', '14/13/2023', '2023-03-14', '14 Maret 2023', '0/0/0', '99/99/9999'),
  fc.double({ noNaN: true }).map((n) => n),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => String(n)),
);

const CODES: Record<string, RegExp> = {
  skala_usaha: /^0[1-4]$/,
  status_penanaman_modal: /^0[12]$/,
  skala_resiko: /^(R|MR|MT|T)$/,
};

/** Every stored row breaking a rule an API record must pass, as "table.column=value". */
async function violations(t: TestDatabase): Promise<string[]> {
  const r = await t.db.raw(`
    select 'pelaku_usaha.nib=' || nib as v from pelaku_usaha where nib !~ '^[0-9]{13}$'
    union all select 'pelaku_usaha.skala_usaha=' || skala_usaha from pelaku_usaha where skala_usaha !~ '${CODES.skala_usaha!.source}'
    union all select 'pelaku_usaha.status_penanaman_modal=' || status_penanaman_modal from pelaku_usaha
      where status_penanaman_modal !~ '${CODES.status_penanaman_modal!.source}'
    union all select 'proyek.id_proyek=' || id_proyek from proyek where id_proyek !~ '^R-[0-9]{17,23}$'
    union all select 'proyek.nib=' || nib from proyek where nib !~ '^[0-9]{13}$'
    union all select 'proyek.kbli=' || kbli from proyek where kbli !~ '^[0-9]{4,5}$'
    union all select 'proyek.skala_resiko=' || skala_resiko from proyek where skala_resiko !~ '${CODES.skala_resiko!.source}'
    union all select 'proyek.jumlah_investasi=' || jumlah_investasi from proyek where jumlah_investasi < 0
    union all select 'proyek.jumlah_tki=' || jumlah_tki from proyek where jumlah_tki < 0
    union all select 'proyek.luas_tanah=' || luas_tanah from proyek where luas_tanah < 0
    union all select 'perizinan.id_izin=' || id_izin from perizinan where id_izin !~ '^I-[0-9]{17,23}$'
    union all select 'perizinan.nib=' || nib from perizinan where nib !~ '^[0-9]{13}$'`);
  return r.rows.map((x: { v: string }) => x.v);
}

describe('imports of corrupted exports store nothing invalid', () => {
  let world: SimulatorWorld;
  let t: TestDatabase;
  let dir: string;
  const deps = (): ImportDeps => ({
    db: t.db,
    databaseUrl: t.url,
    log: silentLog,
    now: () => new Date(),
    kdDaerah: '3317',
  });
  beforeAll(async () => {
    world = new SimulatorWorld({ seed: 51, size: 'tiny', now: WORLD_NOW });
    t = await createTestDatabase('import_property');
    dir = mkdtempSync(join(tmpdir(), 'oss-sync-import-property-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  it('over generated corruptions of every export type, csv and xlsx', async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TYPES),
        fc.constantFrom<'csv' | 'xlsx'>('csv', 'xlsx'),
        // Which cells of which rows become what: (row, column number, new value).
        fc.array(fc.tuple(fc.nat(40), fc.nat(60), cellArb), { minLength: 1, maxLength: 25 }),
        async (type, format, edits) => {
          const path = join(dir, `corrupt-${file++}.${format}`);
          await writeWorldExport({
            world,
            type,
            format,
            path,
            rows: 40,
            duplicateFraction: 0,
            quirks: false,
            transform: (row, index) => {
              const keys = Object.keys(row);
              const out = { ...row };
              for (const [r, c, v] of edits) if (r === index) out[keys[c % keys.length]!] = v;
              return out;
            },
          });
          try {
            const result = await importExportFile(deps(), path, { requestedBy: 'property' });
            expect(['succeeded', 'failed']).toContain(result.status);
          } catch (err) {
            // Only a refusal the product names (a file it will not take) may escape, never a TypeError or the like.
            expect((err as Error).name).not.toMatch(/^(TypeError|RangeError|ReferenceError|SyntaxError)$/);
          }
          expect(await violations(t)).toEqual([]);
        },
      ),
      { numRuns: 30, seed: 20261204 },
    );
    // Not vacuous: the good rows of those files were stored, and the bad ones quarantined.
    const [stored, quarantined] = await Promise.all([
      t.db('proyek').count({ n: '*' }),
      t.db('quarantine').count({ n: '*' }),
    ]);
    expect(Number(stored[0]?.n)).toBeGreaterThan(0);
    expect(Number(quarantined[0]?.n)).toBeGreaterThan(0);
  });
});
