/** What the record normalizers need besides the wire record. */
export interface NormalizeContext {
  /** Key of the HMAC-SHA256 that turns identity numbers (NIK, passport, NPWP) into stable, non-reversible hashes. */
  piiKey: string;
}
