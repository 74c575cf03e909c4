import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An append-only temporary file written in 1 MB pieces (rows waiting for a COPY after the file is read). */
export class Spool {
  private fd: number | null;
  private parts: string[] = [];
  private size = 0;
  /** Lines written (kept by the caller's writes). */
  lines = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0 || this.fd === null) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A private temporary directory for one import's spools, removed by dispose(). */
export function spoolDirectory(base = tmpdir()): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(base, 'oss-sync-import-'));
  return {
    dir,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
