/*
 * The Temuan page shows a finding's evidence as text for people: codes with their Indonesian labels. The labels come
 * from the one code table (src/domain/codes.ts); a copy of jenis_pelaku_usaha in the page had 01 and 02 swapped.
 */
import { describe, expect, it } from 'vitest';
import { html } from '../../src/web/html.js';
import { evidenceValue } from '../../src/web/pages/findings.js';

const text = (v: unknown, key: string) => html`${evidenceValue(key, v, 'Asia/Jakarta')}`.value;

describe('evidence values on a finding page', () => {
  it('names jenis pelaku usaha as PIA Lampiran 18 does: 01 badan usaha, 02 orang perseorangan', () => {
    expect(text('01', 'jenis_pelaku_usaha')).toBe('01 Badan usaha');
    expect(text('02', 'jenis_pelaku_usaha')).toBe('02 Orang perseorangan');
  });

  it('writes money as Rupiah and escapes text', () => {
    expect(text(1500000, 'nilai_kemitraan')).toBe('Rp 1.500.000');
    expect(text('<b>x</b>', 'nama_ub')).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});
