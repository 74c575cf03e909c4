/*
 * The partnership report's PDF, printed by real Chromium (Debian's /usr/bin/chromium through playwright-core) from
 * the report of a synced simulator world, as `oss-sync report --format pdf` writes it; pdftoppm (poppler-utils) turns
 * its pages into PNGs under .ci/out/report-page-<n>.png, the pictures a person looks at (the README shows page 1), and
 * pdftotext reads back what the cover and the footers say.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report.js';
import { projectRoot } from '../../src/reference.js';
import { renderReportPdf } from '../../src/report/pdf.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { makeDeps, silentLog, sync } from '../helpers/sync.js';

const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
/** The report is made on 20 November 2026, 10:00 WIB. */
const GENERATED = new Date('2026-11-20T03:00:00Z');
const OUT = join(projectRoot(), '.ci', 'out');

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (s: string) => {
        out.stdout += s;
      },
      stderr: (s: string) => {
        out.stderr += s;
      },
    },
  };
}

describe('oss-sync report --format pdf', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  let dir: string;
  let pdf: string;
  let pages: string[];
  let printed: { stdout: string; stderr: string };
  let code: number;

  beforeAll(async () => {
    t = await createTestDatabase('report_pdf');
    sim = await startSimulator({ seed: 71, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    const deps = await makeDeps(t, sim.url);
    expect((await sync(deps)).status).toBe('succeeded');
    dir = mkdtempSync(join(tmpdir(), 'oss-sync-report-pdf-'));
    pdf = join(dir, 'laporan.pdf');
    const { out, io } = capture();
    code = await reportCommand(
      { db: t.db, config: deps.config, log: silentLog, now: () => GENERATED },
      ['--period', '2026-Q3', '--format', 'pdf', '--output', pdf],
      io,
    );
    printed = out;
    mkdirSync(OUT, { recursive: true });
    for (const f of readdirSync(OUT)) if (/^report-page-\d+\.png$/.test(f)) rmSync(join(OUT, f));
    execFileSync('pdftoppm', ['-png', '-r', '60', pdf, join(OUT, 'report-page')]);
    // pdftoppm numbers pages with as many digits as the last page has (report-page-01.png …): name them plainly.
    pages = readdirSync(OUT)
      .filter((f) => /^report-page-\d+\.png$/.test(f))
      .sort();
    for (const f of pages) {
      const n = Number(/(\d+)\.png$/.exec(f)![1]);
      if (f !== `report-page-${n}.png`) execFileSync('mv', [join(OUT, f), join(OUT, `report-page-${n}.png`)]);
    }
    pages = pages.map((f) => `report-page-${Number(/(\d+)\.png$/.exec(f)![1])}.png`);
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const text = (first: number, last = first) =>
    execFileSync('pdftotext', ['-layout', '-f', String(first), '-l', String(last), pdf, '-'], { encoding: 'utf8' });

  it('writes the PDF and says where, with a one-line summary', () => {
    expect(printed.stderr).toBe('');
    expect(code).toBe(0);
    expect(printed.stdout).toContain(`Laporan kemitraan Triwulan III 2026 ditulis ke ${pdf}`);
    expect(printed.stdout).toMatch(/\d+ kesepakatan terdaftar, \d+ berjalan, \d+ berjalan dengan realisasi/);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('has as many A4 pages as pdftoppm drew, each numbered "Halaman X dari Y"', () => {
    const bytes = readFileSync(pdf).toString('latin1');
    const count = bytes.match(/\/Type\s*\/Page\b(?!s)/g)?.length ?? 0;
    // The cover and the four sections, each from a new page.
    expect(count).toBeGreaterThanOrEqual(5);
    expect(pages).toEqual(Array.from({ length: count }, (_, i) => `report-page-${i + 1}.png`));
    for (const page of pages) expect(statSync(join(OUT, page)).size).toBeGreaterThan(5_000);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`Pages:\\s+${count}\\b`));
    expect(info).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
    for (let n = 1; n <= count; n++) expect(text(n)).toContain(`Halaman ${n} dari ${count}`);
  });

  it('the cover names the report, the office, the period, when it was made and the data it was made from', () => {
    const cover = text(1).replace(/\s+/g, ' ');
    expect(cover).toContain('Laporan Kemitraan Usaha Besar – UMKM');
    expect(cover).toContain('DPMPTSP KABUPATEN REMBANG');
    expect(cover).toContain('Triwulan III 2026');
    expect(cover).toContain('1 Juli 2026 – 30 September 2026');
    expect(cover).toContain('Wilayah Kabupaten Rembang');
    expect(cover).toContain('Dibuat 2026-11-20 10:00 WIB');
    expect(cover).toMatch(/Data per sinkronisasi terakhir yang berhasil: \d{4}-\d{2}-\d{2} \d{2}:\d{2} WIB/);
    // The headline tiles: registered, running, running with realisation in the period, continuous.
    expect(cover).toMatch(
      /Terdaftar Berjalan \(03\) Berjalan, ada realisasi Berkelanjutan dalam periode( \d+){4}( Rp [\d.]+){4}/,
    );
    expect(cover).toMatch(/Realisasi dalam periode: Rp [\d.]+/);
  });

  it('every section starts a page of its own, under its number and title', () => {
    const firstLines = pages.map((_, i) =>
      text(i + 1)
        .trim()
        .split('\n')[0]!
        .trim(),
    );
    const titles = [
      'Berapa yang riil',
      'Menurut pola, kecamatan, sektor dan usaha besar',
      'Rantai pasok',
      'Temuan dalam periode',
    ];
    for (const [i, title] of titles.entries()) expect(firstLines).toContain(`${i + 1}. ${title}`);
  });

  it('without Chromium it says how to get it, in Indonesian and English', async () => {
    await expect(renderReportPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      'PDF needs Chromium: apt-get install chromium, or set CHROMIUM_PATH',
    );
    const config = (await makeDeps(t, sim.url)).config;
    const { out, io } = capture();
    const exit = await reportCommand(
      {
        db: t.db,
        config: { ...config, report: { chromiumPath: '/nonexistent/chromium' } },
        log: silentLog,
        now: () => GENERATED,
      },
      ['--format', 'pdf', '--output', join(dir, 'none.pdf')],
      io,
    );
    expect(exit).toBe(1);
    expect(out.stderr).toContain('oss-sync report: galat: PDF perlu Chromium');
    expect(out.stderr).toContain('PDF needs Chromium: apt-get install chromium, or set CHROMIUM_PATH');
  });
});
