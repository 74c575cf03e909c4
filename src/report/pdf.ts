/*
 * The partnership report as PDF: headless Chromium (Debian's `chromium`, driven by playwright-core) prints the HTML
 * of html.ts to A4, with "Halaman X dari Y" in the footer of every page. The HTML has no script and no link outside
 * itself, so the page is set from the string and every request it might still make is refused.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { escapeHtml } from './html.js';

/** Chromium is not installed where the PDF needs it. */
export class ChromiumMissingError extends Error {
  readonly code = 'CHROMIUM_MISSING';
  constructor(
    readonly executablePath: string,
    options?: { cause?: unknown },
  ) {
    super(
      `PDF perlu Chromium (${executablePath} tidak ada): apt-get install chromium, atau atur CHROMIUM_PATH. ` +
        'PDF needs Chromium: apt-get install chromium, or set CHROMIUM_PATH',
      options,
    );
    this.name = 'ChromiumMissingError';
  }
}

export interface PdfOptions {
  /** Chromium's executable (config.report.chromiumPath; default /usr/bin/chromium). */
  executablePath?: string;
  /** Small text at the left of every footer (the report's title and period). */
  footerText?: string;
}

/** PDFs print one at a time per process: each starts a Chromium, and a burst of requests must not start many. */
let printing: Promise<unknown> = Promise.resolve();

/** Prints `html` to an A4 PDF with page numbers; returns the PDF's bytes. */
export function renderReportPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const run = printing.then(() => printPdf(html, opts));
  printing = run.catch(() => undefined);
  return run;
}

async function printPdf(html: string, opts: PdfOptions): Promise<Buffer> {
  const executablePath = opts.executablePath ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new ChromiumMissingError(executablePath);
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  } catch (err) {
    if (/ENOENT|EACCES|no such file|Failed to launch/i.test(String((err as Error)?.message ?? err))) {
      throw new ChromiumMissingError(executablePath, { cause: err });
    }
    throw err;
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const footer = `<div style="width: 100%; font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.5pt; color: #4a5560; padding: 0 14mm; display: flex; justify-content: space-between;"><span>${escapeHtml(opts.footerText ?? '')}</span><span>Halaman <span class="pageNumber"></span> dari <span class="totalPages"></span></span></div>`;
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<div></div>',
      footerTemplate: footer,
      margin: { top: '16mm', right: '14mm', bottom: '18mm', left: '14mm' },
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}
