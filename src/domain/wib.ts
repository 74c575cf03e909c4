/** OSS datetimes are WIB (UTC+7) wall time without an offset: 'YYYY-MM-DD HH:II:SS'. WIB has no daylight saving. */

/** WIB is UTC+7 all year. */
export const WIB_OFFSET_HOURS = 7;
export const WIB_OFFSET_MS = WIB_OFFSET_HOURS * 60 * 60 * 1000;

/** The WIB wall time of an instant, in OSS format. */
export function toWibDateTime(instant: Date): string {
  return new Date(instant.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The WIB date of an instant, 'YYYY-MM-DD'. */
export function toWibDate(instant: Date): string {
  return toWibDateTime(instant).slice(0, 10);
}

/** An OSS WIB datetime moved back by some minutes (never before the epoch of the string format). */
export function wibMinusMinutes(wib: string, minutes: number): string {
  const asUtc = Date.parse(`${wib.replace(' ', 'T')}Z`);
  if (Number.isNaN(asUtc)) return wib;
  return new Date(asUtc - minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The earlier of two OSS-format timestamps (same format compares as strings). */
export function minWib(a: string, b: string): string {
  return a <= b ? a : b;
}

/** The usual abbreviation of Indonesia's zones; other zones print their IANA name. */
const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
  UTC: 'UTC',
  'Etc/UTC': 'UTC',
};

export const zoneLabel = (timeZone: string): string => ZONE_ABBREVIATIONS[timeZone] ?? timeZone;

/** An instant as local wall time in `timeZone`, 'YYYY-MM-DD HH:MM[:SS]', without the zone label. */
export function localDateTime(instant: Date, timeZone: string, seconds = false): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const hm = `${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ''}`;
  return `${parts.year}-${parts.month}-${parts.day} ${hm}`;
}

/** An instant for people: local wall time and the zone, '2026-11-20 12:15 WIB'. */
export function humanTime(instant: Date | null, timeZone: string, seconds = false): string {
  return instant ? `${localDateTime(instant, timeZone, seconds)} ${zoneLabel(timeZone)}` : '-';
}
