/*
 * Hostile import files: a zip bomb, a 50 MB field with and without its closing quote, mixed encodings, junk that
 * claims to be xlsx, symlinks in the drop folder, imports killed halfway. The CLI runs as a real child process with
 * a 128 MB heap (its peak RSS read back from the process itself), and `serve` as a real child with the bomb in its
 * drop folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportDeps, importDropFolder, importExportFile, startImportDropFolder } from '../../src/import/index.js';
import { openExport } from '../../src/import/source.js';
import { createLogger } from '../../src/logger.js';
import { writeWorldExport } from '../../src/simulator/exports.js';
import { generateWorld, type SimulatorWorld, startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { http, spawnServe, stopAllServe, waitFor } from '../helpers/serveEntry.js';
import { DATA_TABLES, silentLog } from '../helpers/sync.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORLD_NOW = new Date('2026-11-20T03:00:00Z');
const MiB = 1024 * 1024;
/** The heap the CLI child gets. */
const CHILD_HEAP_MB = 128;

// ---------------------------------------------------------------------------------------------------------------
// A minimal zip writer (the test builds its own hostile archives).

interface ZipEntry {
  name: string;
  /** Raw-deflate bytes and the size they inflate to, or plain bytes (deflated here). */
  data: Buffer | { deflated: Buffer; size: number; crc: number };
}

const crcOf = (data: Buffer) => {
  const gz = gzipSync(data);
  return gz.readUInt32LE(gz.length - 8);
};

function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = Buffer.isBuffer(e.data) ? e.data : null;
    const deflated = raw ? deflateRawSync(raw) : (e.data as { deflated: Buffer }).deflated;
    const size = raw ? raw.length : (e.data as { size: number }).size;
    const crc = raw ? crcOf(raw) : (e.data as { crc: number }).crc;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(deflated.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    central.push(cd, name);
    offset += local.length + name.length + deflated.length;
  }
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, eocd]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of a one-sheet workbook around a given sheet XML entry. */
function workbookEntries(sheet: ZipEntry['data']): ZipEntry[] {
  const text = (s: string) => Buffer.from(s, 'utf8');
  return [
    {
      name: '[Content_Types].xml',
      data: text(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: text(
        `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets><sheet name="DP Proyek" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: text(
        `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      ),
    },
    { name: 'xl/sharedStrings.xml', data: text(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}"/>`) },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ];
}

/**
 * A zip bomb: an xlsx whose one cell holds `gib` GiB of "A". Deflate blocks of 1 MiB of "A", each closed with a
 * full flush, are independent, so one compressed block repeated gives the sheet (about 1000× smaller).
 */
function zipBomb(gib: number): Buffer {
  const prefix = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`,
  );
  const suffix = Buffer.from('</t></is></c></row></sheetData></worksheet>');
  const block = Buffer.alloc(MiB, 0x41);
  const flushed = (b: Buffer) => deflateRawSync(b, { finishFlush: constants.Z_FULL_FLUSH });
  const blocks = Math.round(gib * 1024);
  const head = flushed(prefix);
  const body = flushed(block);
  const tail = deflateRawSync(suffix);
  const deflated = Buffer.concat([head, ...Array.from({ length: blocks }, () => body), tail]);
  const size = prefix.length + blocks * MiB + suffix.length;
  // The CRC is never checked before the size limit stops the read; 0 keeps the test from hashing a GiB.
  return zip(workbookEntries({ deflated, size, crc: 0 }));
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI as a child process.

/** Preloaded into the child: prints its peak RSS (kB) on exit, from the process's own resource usage. */
const RSS_PROBE = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));",
)}`;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in bytes, null when the process died before its exit handlers ran. */
  peakRss: number | null;
}

function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${CHILD_HEAP_MB}`, '--import', RSS_PROBE, join(root, 'bin', 'oss-sync.js'), ...args],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        OSS_SYNC_FROM_SOURCE: '1',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const done = new Promise<CliRun>((resolve) => {
    child.once('close', (code, signal) => {
      const m = /@@maxrss (\d+)/.exec(stderr);
      resolve({ code, signal, stdout, stderr, peakRss: m ? Number(m[1]) * 1024 : null });
    });
  });
  return { child, done };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

// ---------------------------------------------------------------------------------------------------------------

let world: SimulatorWorld;
let t: TestDatabase;
let work: string;
let childTmp: string;

const depsOf = (db: TestDatabase, log = silentLog): ImportDeps =>
  ({ db: db.db, databaseUrl: db.url, log, now: () => new Date(), kdDaerah: '3317' }) as ImportDeps;

const aged = (path: string, hoursAgo = 1) => {
  const old = new Date(Date.now() - hoursAgo * 3_600_000);
  utimesSync(path, old, old);
};

/** The longest value any data table holds (its whole row as text). */
async function longestStoredRow(db: TestDatabase): Promise<number> {
  let longest = 0;
  for (const table of DATA_TABLES) {
    const r = await db.db.raw(`select coalesce(max(length(t::text)), 0)::int as n from ${table} t`);
    longest = Math.max(longest, r.rows[0].n as number);
  }
  return longest;
}

/** A good 20-row export. */
const small = () => join(work, 'list_izin kecil.csv');

const importDirs = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('oss-sync-import-'));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'oss-hostile-'));
  childTmp = join(work, 'tmp');
  mkdirSync(childTmp);
  world = generateWorld({ seed: 5, size: 'tiny', now: WORLD_NOW });
  await writeWorldExport({ world, type: 'list_izin', format: 'csv', path: small(), rows: 20 });
  t = await createTestDatabase('faults_import');
});

afterAll(async () => {
  await stopAllServe();
  await t?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('a zip bomb and 50 MB fields, through `oss-sync import` with a 128 MB heap', () => {
  /**
   * Peak RSS allowed for a hostile file: what importing a 20-row file takes (node, tsx, the app's modules), plus the
   * heap the child was given. A file that was read whole (1.2 GiB, 50 MB) could not stay under it.
   */
  let rssBound = 0;
  beforeAll(async () => {
    const run = await startCli(['import', small()], { DATABASE_URL: t.url, TMPDIR: childTmp }).done;
    expect(run.code).toBe(0);
    rssBound = run.peakRss! + CHILD_HEAP_MB * MiB;
    console.log(`a 20-row import: peak RSS ${run.peakRss} B; bound for hostile files ${rssBound} B`);
  });

  it('refuses an xlsx whose one cell inflates to 1.2 GiB, naming the limit and where, in bounded memory', async () => {
    const path = join(work, 'dp proyek bom.xlsx');
    writeFileSync(path, zipBomb(1.2));
    const run = await startCli(['import', path], { DATABASE_URL: t.url, TMPDIR: childTmp }).done;
    console.log(`zip bomb (${readFileSync(path).length} bytes): exit ${run.code}, peak RSS ${run.peakRss} B`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    const out = oneLine(run.stdout);
    expect(out).toMatch(/REFUSED/);
    expect(out).toMatch(/IMPORT_MAX_BYTES/);
    expect(out).toMatch(/sheet "DP Proyek".*A1/);
    expect(run.peakRss!).toBeLessThan(rssBound);
  });

  it('refuses a csv whose quoted 50 MB field is never closed, naming its line, in bounded memory', async () => {
    const path = join(work, 'dp_proyek kutip.csv');
    const written = await writeWorldExport({ world, type: 'dp_proyek', format: 'csv', path, rows: 20 });
    const fd = openSync(path, 'a');
    writeSync(fd, `21,R-RUSAK,Utama,9120000000001,"PT ${'A'.repeat(50 * MiB)}`);
    writeSync(fd, '\r\n22,R-SESUDAH,Utama,9120000000002,PT SESUDAH\r\n');
    closeSync(fd);
    const brokenLine = written.headerRow + written.rows + 1;
    const run = await startCli(['import', path], { DATABASE_URL: t.url, TMPDIR: childTmp }).done;
    console.log(`unterminated 50 MB field: exit ${run.code}, peak RSS ${run.peakRss} B`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    const out = oneLine(run.stdout);
    expect(out).toMatch(new RegExp(`line ${brokenLine}\\b.*never closed`));
    expect(run.peakRss!).toBeLessThan(rssBound);
  });

  it('never stores a 50 MB business name: its row is rejected with the limit, the other rows go in', async () => {
    const path = join(work, 'dp_proyek panjang.csv');
    const written = await writeWorldExport({
      world,
      type: 'dp_proyek',
      format: 'csv',
      path,
      rows: 20,
      duplicateFraction: 0,
      transform: (row, i) => (i === 4 ? { ...row, 'Nama Perusahaan': `PT ${'B'.repeat(50 * MiB)}` } : row),
    });
    const longLine = written.headerRow + 5;
    const source = openExport(path, 'csv');
    const rejected: Array<{ row: number; issues: Array<{ message: string }> }> = [];
    let rows = 0;
    for await (const batch of source.batches) {
      rows += batch.rows.length;
      rejected.push(...((batch as { rejected?: typeof rejected }).rejected ?? []));
    }
    expect(rejected.map((r) => r.row)).toEqual([longLine]);
    expect(rejected[0]!.issues.map((i) => i.message).join(' ')).toMatch(/IMPORT_MAX_CELL_CHARS/);
    expect(rows).toBe(written.headerRow + 19);

    const run = await startCli(['import', path], { DATABASE_URL: t.url, TMPDIR: childTmp }).done;
    expect(run.signal).toBeNull();
    // 3: imported with rejected rows.
    expect(run.code).toBe(3);
    expect(oneLine(run.stdout)).toMatch(
      new RegExp(`Nama Perusahaan .*IMPORT_MAX_CELL_CHARS .*\\b${longLine}: "PT BBBB`),
    );
    expect(run.peakRss!).toBeLessThan(rssBound);
    expect(await longestStoredRow(t)).toBeLessThan(MiB);
  });
});

describe('limits checked while reading', () => {
  it('stops a csv at IMPORT_MAX_ROWS and IMPORT_MAX_BYTES, naming the limit and the line', async () => {
    const path = join(work, 'rows.csv');
    writeFileSync(path, `a,b\n${Array.from({ length: 50 }, (_, i) => `${i},x`).join('\n')}\n`);
    const read = async (limits: Record<string, number>) => {
      const source = (openExport as (p: string, f: 'csv', o: unknown) => ReturnType<typeof openExport>)(path, 'csv', {
        limits,
      });
      for await (const _ of source.batches);
    };
    await expect(read({ maxRows: 10 })).rejects.toThrow(/IMPORT_MAX_ROWS \(10\).*line 11/);
    await expect(read({ maxBytes: 100 })).rejects.toThrow(/IMPORT_MAX_BYTES \(100 bytes\)/);
  });

  it('rejects an xlsx cell over IMPORT_MAX_CELL_CHARS as a row, naming the sheet and cell', async () => {
    const path = join(work, 'cell.xlsx');
    const row = (r: number, value: string) =>
      `<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>${r}</t></is></c><c r="B${r}" t="inlineStr"><is><t>${value}</t></is></c></row>`;
    writeFileSync(
      path,
      zip(
        workbookEntries(
          Buffer.from(
            `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${row(1, 'ok')}${row(2, 'C'.repeat(5_000))}${row(3, 'ok')}</sheetData></worksheet>`,
          ),
        ),
      ),
    );
    const source = (openExport as (p: string, f: 'xlsx', o: unknown) => ReturnType<typeof openExport>)(path, 'xlsx', {
      limits: { maxCellChars: 1_000 },
    });
    const rows: number[] = [];
    const rejected: Array<{ row: number; issues: Array<{ message: string }> }> = [];
    for await (const batch of source.batches) {
      rows.push(...batch.rowNumbers);
      rejected.push(...((batch as { rejected?: typeof rejected }).rejected ?? []));
    }
    expect(rows).toEqual([1, 3]);
    expect(rejected.map((r) => r.row)).toEqual([2]);
    expect(rejected[0]!.issues[0]!.message).toMatch(/B2.*5,000 characters.*IMPORT_MAX_CELL_CHARS \(1,000\)/);
  });
});

describe('encodings', () => {
  const readAll = async (path: string) => {
    const source = openExport(path, 'csv');
    const rows: unknown[][] = [];
    for await (const batch of source.batches) rows.push(...batch.rows);
    const warnings = (source as { warnings?: () => string[] }).warnings?.() ?? [];
    return { rows, warnings, described: source.describe() };
  };

  it('keeps a file with a UTF-8 byte-order mark in UTF-8, flagging the line with a stray latin1 byte', async () => {
    const path = join(work, 'bom.csv');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('\ufeffnama,kota\nCAFÉ ÜBER,Semarang\n', 'utf8'),
        Buffer.from('TOKO ', 'utf8'),
        Buffer.from([0xc9]),
        Buffer.from(',Rembang\nNASI GORENG,Kudus\n', 'utf8'),
      ]),
    );
    const { rows, warnings, described } = await readAll(path);
    expect(rows[1]).toEqual(['CAFÉ ÜBER', 'Semarang']);
    expect(rows[2]).toEqual(['TOKO \ufffd', 'Rembang']);
    expect(described).toMatch(/^utf-8/);
    expect(warnings.join('\n')).toMatch(/not valid UTF-8.*line 3\b/);
  });

  it('reads a file with no valid UTF-8 as windows-1252, even when its first accent comes late', async () => {
    const path = join(work, 'cp1252.csv');
    const filler = Array.from({ length: 5_000 }, (_, i) => `TOKO ${i},Semarang`).join('\n');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(`nama,kota\n${filler}\n`, 'latin1'),
        Buffer.from([0x43, 0x41, 0x46, 0xc9, 0x20, 0x92, 0x39, 0x39]),
        Buffer.from(',Kudus\n', 'latin1'),
      ]),
    );
    const { rows, warnings, described } = await readAll(path);
    expect(rows.at(-1)).toEqual(['CAFÉ ’99', 'Kudus']);
    expect(described).toMatch(/^windows-1252/);
    expect(warnings).toEqual([]);
  });

  it('reads valid UTF-8 without a mark as UTF-8, with no warning', async () => {
    const path = join(work, 'utf8.csv');
    writeFileSync(path, `nama,kota\n${'x,y\n'.repeat(30_000)}CAFÉ,Kudus\n`);
    const { rows, warnings, described } = await readAll(path);
    expect(rows.at(-1)).toEqual(['CAFÉ', 'Kudus']);
    expect(described).toBe('utf-8, delimiter ","');
    expect(warnings).toEqual([]);
  });
});

describe('files that are not what they claim', () => {
  const good = () => join(work, 'good.xlsx');
  beforeAll(async () => {
    await writeWorldExport({ world, type: 'list_izin', format: 'xlsx', path: good() });
  });
  it.each([
    ['a csv renamed to .xlsx', () => Buffer.from('nib,nama\n123,PT A\n'), /text, not an xlsx workbook.*\.csv/],
    [
      'a zip that is not a workbook',
      () => zip([{ name: 'readme.txt', data: Buffer.from('hello') }]),
      /zip archive but not an xlsx workbook.*readme\.txt/,
    ],
    [
      'a truncated xlsx',
      () => readFileSync(good()).subarray(0, Math.floor(readFileSync(good()).length / 2)),
      /truncated/,
    ],
    [
      'an Excel 97-2003 workbook',
      () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
      /Excel 97-2003/,
    ],
    ['an empty file', () => Buffer.alloc(0), /empty/],
  ])('%s: says what the file is and what was expected', async (_n, content, message) => {
    const path = join(work, 'junk.xlsx');
    writeFileSync(path, content());
    const r = await importExportFile(depsOf(t), path, { requestedBy: 'test' });
    expect(r.refused).toBe(true);
    expect(r.error).toMatch(message);
    expect(r.error).not.toMatch(/TypeError|Cannot read prop|undefined/);
  });
});

/** Processes whose parent is `pid`, with their command lines (from /proc). */
function childrenOf(pid: number): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A 100,000-row export: its import runs long enough to be stopped halfway (written once, on first use). */
let bigCsv: Promise<string> | null = null;
const big = () => {
  bigCsv ??= writeWorldExport({
    world,
    type: 'dp_proyek',
    format: 'csv',
    path: join(work, 'dp_proyek besar.csv'),
    rows: 100_000,
  }).then((r) => r.path);
  return bigCsv;
};

describe('temporary directories', () => {
  it('removes its spool directory when the import is stopped, and sweeps one a killed import left', async () => {
    const tmp = join(work, 'tmp-killed');
    mkdirSync(tmp);
    const stopHalfway = async (signal: NodeJS.Signals) => {
      const { child, done } = startCli(['import', await big()], { DATABASE_URL: t.url, TMPDIR: tmp });
      const before = new Set(importDirs(tmp));
      const dir = await waitFor(
        'the import to create its spool directory',
        () => importDirs(tmp).find((d) => !before.has(d)),
        120_000,
        10,
      );
      child.kill(signal);
      const run = await done;
      return { dir, run };
    };

    const stopped = await stopHalfway('SIGTERM');
    expect(stopped.run.code === 143 || stopped.run.signal === 'SIGTERM').toBe(true);
    expect(importDirs(tmp)).not.toContain(stopped.dir);

    const killed = await stopHalfway('SIGKILL');
    expect(importDirs(tmp)).toContain(killed.dir);
    aged(join(tmp, killed.dir), 48);
    // A stale-looking directory of a live process (this one) is never taken.
    const live = join(tmp, `oss-sync-import-${process.pid}-live`);
    mkdirSync(live);
    aged(live, 48);

    const next = await startCli(['import', small()], { DATABASE_URL: t.url, TMPDIR: tmp }).done;
    expect(next.code).toBe(0);
    expect(importDirs(tmp)).not.toContain(killed.dir);
    expect(importDirs(tmp)).toContain(`oss-sync-import-${process.pid}-live`);
  });

  it('removes the spool directory of a drop-folder import process that was killed, and fails its file', async () => {
    const drop = join(work, 'drop-killed');
    const tmp = join(work, 'tmp-drop-killed');
    mkdirSync(drop);
    mkdirSync(tmp);
    copyFileSync(await big(), join(drop, 'dp_proyek besar.csv'));
    aged(join(drop, 'dp_proyek besar.csv'));
    const pass = importDropFolder({ ...depsOf(t), tmpDir: tmp } as ImportDeps, drop, { minAgeMs: 0 });
    await waitFor('the import process to create its spool directory', () => importDirs(tmp).length > 0, 120_000, 10);
    const worker = childrenOf(process.pid).find((c) => c.cmdline.includes('worker'));
    expect(worker).toBeDefined();
    process.kill(worker!.pid, 'SIGKILL');
    const outcomes = await pass;
    expect(outcomes.map((o) => [o.file, o.status])).toEqual([['dp_proyek besar.csv', 'failed']]);
    expect(readFileSync(join(drop, 'failed', 'dp_proyek besar.csv.report.txt'), 'utf8')).toMatch(/killed \(SIGKILL\)/);
    expect(importDirs(tmp)).toEqual([]);
  });
});

describe('the drop folder', () => {
  it('logs a symlink it skips, once, with the reason', async () => {
    const drop = join(work, 'drop-links');
    mkdirSync(drop);
    const elsewhere = join(work, 'elsewhere.csv');
    await writeWorldExport({ world, type: 'list_izin', format: 'csv', path: elsewhere, rows: 5 });
    symlinkSync(elsewhere, join(drop, 'tautan.csv'));
    const lines: string[] = [];
    const log = createLogger('info', { write: (s: string) => lines.push(s) });
    for (let i = 0; i < 2; i++) await importDropFolder(depsOf(t, log), drop, { minAgeMs: 0 });
    const skips = lines.map((l) => JSON.parse(l)).filter((l) => l.file === 'tautan.csv');
    expect(skips).toHaveLength(1);
    expect(skips[0].msg).toMatch(/skipped/);
    expect(skips[0].reason).toMatch(/symbolic link/);
    expect(existsSync(join(drop, 'tautan.csv'))).toBe(true);
    expect(existsSync(join(drop, 'failed'))).toBe(false);
  });

  it('reports an import process that crashes as a failed import, with why, and goes on', async () => {
    const drop = join(work, 'drop-crash');
    mkdirSync(drop);
    await writeWorldExport({ world, type: 'list_izin', format: 'csv', path: join(drop, 'izin.csv'), rows: 30 });
    aged(join(drop, 'izin.csv'));
    const outcomes = await importDropFolder(depsOf(t), drop, { minAgeMs: 0, workerHeapMb: 8 } as Parameters<
      typeof importDropFolder
    >[2]);
    expect(outcomes.map((o) => [o.file, o.status])).toEqual([['izin.csv', 'failed']]);
    expect(existsSync(join(drop, 'failed', 'izin.csv'))).toBe(true);
    expect(readFileSync(join(drop, 'failed', 'izin.csv.report.txt'), 'utf8')).toMatch(/out of memory.*8 MB/s);
  });

  it('fails a file left in processing/ by a serve that died, and puts back the one it stops importing', async () => {
    const drop = join(work, 'drop-restart');
    mkdirSync(join(drop, 'processing'), { recursive: true });
    writeFileSync(join(drop, 'processing', 'pembunuh.xlsx'), zipBomb(0.01));
    copyFileSync(await big(), join(drop, 'besar.csv'));
    aged(join(drop, 'besar.csv'));
    const watcher = startImportDropFolder({ deps: depsOf(t), dir: drop, intervalMs: 3_600_000 });
    expect(readFileSync(join(drop, 'failed', 'pembunuh.xlsx.report.txt'), 'utf8')).toMatch(
      /serve stopped abruptly while importing this file.*not retried automatically/s,
    );
    await waitFor('the import to start', () => childrenOf(process.pid).some((c) => c.cmdline.includes('worker')));
    await watcher.stop();
    expect(existsSync(join(drop, 'besar.csv'))).toBe(true);
    expect(readdirSync(join(drop, 'processing'))).toEqual([]);
    expect(existsSync(join(drop, 'failed', 'besar.csv'))).toBe(false);
  });

  it('keeps serve up with a zip bomb in IMPORT_DIR: the bomb goes to failed/ with its report, a good file is imported', async () => {
    const sim = await startSimulator({ seed: 5, size: 'tiny', now: WORLD_NOW, faults: { quota: null } });
    const db = await createTestDatabase('faults_import_serve');
    try {
      const drop = join(work, 'drop-serve');
      mkdirSync(drop);
      writeFileSync(join(drop, 'bom.xlsx'), zipBomb(1.2));
      aged(join(drop, 'bom.xlsx'), 2);
      await writeWorldExport({ world: sim.world, type: 'list_izin', format: 'xlsx', path: join(drop, 'izin.xlsx') });
      aged(join(drop, 'izin.xlsx'), 1);
      const serve = await spawnServe({
        DATABASE_URL: db.url,
        OSS_BASE_URL: sim.url,
        OSS_USER_KEY: 'sandbox-key',
        SYNC_CRON: '0 2 1 1 *',
        IMPORT_DIR: drop,
        TMPDIR: childTmp,
        NODE_OPTIONS: '--max-old-space-size=256',
      });
      const health: number[] = [];
      await waitFor(
        'both files to leave the drop folder',
        async () => {
          health.push((await http(`${serve.url}/healthz`)).status);
          return (
            existsSync(join(drop, 'failed', 'bom.xlsx.report.txt')) &&
            existsSync(join(drop, 'imported', 'izin.xlsx.report.txt'))
          );
        },
        170_000,
        250,
      );
      expect(serve.child.exitCode).toBeNull();
      expect(health.length).toBeGreaterThan(0);
      expect(health.every((s) => s === 200)).toBe(true);
      expect((await http(`${serve.url}/healthz`)).status).toBe(200);
      expect(oneLine(readFileSync(join(drop, 'failed', 'bom.xlsx.report.txt'), 'utf8'))).toMatch(
        /REFUSED.*IMPORT_MAX_BYTES/,
      );
      expect(readFileSync(join(drop, 'imported', 'izin.xlsx.report.txt'), 'utf8')).toMatch(/SUCCEEDED/);
      const counted = await db.db('perizinan').count({ n: '*' });
      expect(Number(counted[0]?.n)).toBeGreaterThan(0);
      expect(existsSync(join(drop, 'bom.xlsx'))).toBe(false);
      await serve.stop();
    } finally {
      await stopAllServe();
      await sim.stop();
      await db.drop();
    }
  });
});
