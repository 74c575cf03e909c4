/** The NIK facts of a NIB document's people: only KTP numbers are NIKs; the number itself never leaves. */
import { describe, expect, it } from 'vitest';
import { personNikFacts } from '../../src/normalize/identity.js';

describe('personNikFacts', () => {
  it.each([
    ['a valid KTP NIK (a woman: day + 40)', '01', '3317094112850002', { province: '33', issues: [] }],
    ['month 13', '01', '3317091013850003', { province: '33', issues: ['month'] }],
    ['day 00 and serial 0000', '01', '3317090009850000', { province: '33', issues: ['day', 'serial'] }],
    ['15 digits', '01', '331709411285000', { province: null, issues: ['length'] }],
    ['dotted, with the type written out', 'ktp', '3317.0941.1285.0002', { province: '33', issues: [] }],
    ['a passport', '02', 'TZ1234567', { province: null, issues: [] }],
    ['no identity type', null, '3317091013850003', { province: null, issues: [] }],
    ['a "-" placeholder', '01', '-', { province: null, issues: [] }],
  ] as const)('%s', (_, type, number, facts) => {
    const got = personNikFacts(type, number, 'test-pii-key');
    expect(got).toEqual(facts);
    expect(JSON.stringify(got)).not.toContain(number.replace(/\D/g, '').slice(4, 12) || 'never');
  });
});
