// oslo_utils.timeutils.normalize_time(parse_isotime(v)) -> isoformat(), i.e. iso8601 1.0.2's
// grammar, datetime's range checks, Decimal's truncation of the fraction, naive UTC output.
import { PyError, type PyValue, pyTypeName } from './pyvalue.js';
import { strRepr } from './pyrepr.js';

// iso8601 1.0.2's ISO8601_REGEX, matched with re.match (anchored at the start, `$` also
// accepting one trailing newline).
const ISO8601 =
  /^(\d{4})(?:(?:-(\d{1,2})|(\d{2})(?!\n?$))(?:(?:-(\d{1,2})|(\d{2}))(?:([ T])(\d{2})(?::?(\d{2}))?(?::?(\d{1,2})(?:[.,](\d+))?)?(Z|([-+])(\d{2}):?(\d{2})?)?)?)?)?(?=\n?$)/;
// JS `\d` is ASCII-only, like Python's [0-9].

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 0001-01-01 (proleptic Gregorian), like date.toordinal() - 1. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = y - 1;
  let days = yy * 365 + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400);
  for (let i = 0; i < m - 1; i++) days += DAYS_IN_MONTH[i]! + (i === 1 && isLeap(y) ? 1 : 0);
  return days + d - 1;
}

function civilFromDays(days: number): [number, number, number] {
  // Walk 400-year cycles (146097 days) then years; inputs stay within year 0..10000.
  let y = 1 + 400 * Math.floor(days / 146097);
  days = ((days % 146097) + 146097) % 146097;
  for (;;) {
    const len = isLeap(y) ? 366 : 365;
    if (days < len) break;
    days -= len;
    y++;
  }
  let m = 1;
  for (;;) {
    const len = DAYS_IN_MONTH[m - 1]! + (m === 2 && isLeap(y) ? 1 : 0);
    if (days < len) break;
    days -= len;
    m++;
  }
  return [y, m, days + 1];
}

/** int(Decimal('0.' + frac) * Decimal('1000000.0')) with Decimal's 28-digit context. */
function fractionToMicros(frac: string): number {
  // Up to 28 digits the product is exact and int() truncates: the first six digits.
  if (frac.length <= 28) return Number((frac.length > 6 ? frac.slice(0, 6) : frac.padEnd(6, '0')));
  let n = BigInt(frac);
  const sig = n === 0n ? 0 : n.toString().length;
  if (sig > 28) {
    // The product's coefficient is n * 10^7; rounding it to 28 digits drops those 7 zeros and
    // then rounds n itself to 28 digits (half-even).
    const drop = BigInt(sig - 28);
    const p = 10n ** drop;
    let q = n / p;
    const r = n % p;
    const half = p / 2n;
    if (r > half || (r === half && q % 2n === 1n)) q++;
    n = q * p;
  }
  return Number((n * 1000000n) / 10n ** BigInt(frac.length));
}

const pad = (x: number, w: number): string => String(x).padStart(w, '0');

function bad(what: string): never {
  throw new PyError('ValueError', what);
}

const isDigit = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * The regex's groups for the shape nearly every notification uses,
 * `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM|±HH]`, read without the regex; anything else
 * (and any doubt) returns null and goes to the full grammar.
 */
function commonShape(s: string): Array<string | undefined> | null {
  const n = s.length;
  if (n < 19) return null;
  for (const i of DIGIT_AT) if (!isDigit(s, i)) return null;
  if (s[4] !== '-' || s[7] !== '-' || (s[10] !== 'T' && s[10] !== ' ') || s[13] !== ':' || s[16] !== ':') return null;
  let i = 19;
  let frac: string | undefined;
  if (i < n && (s[i] === '.' || s[i] === ',')) {
    let j = i + 1;
    while (j < n && isDigit(s, j)) j++;
    if (j === i + 1) return null;
    frac = s.slice(i + 1, j);
    i = j;
  }
  let tz: string | undefined;
  let sign: string | undefined;
  let tzh: string | undefined;
  let tzm: string | undefined;
  if (i < n && s[i] === 'Z') {
    tz = 'Z';
    i++;
  } else if (i < n && (s[i] === '+' || s[i] === '-')) {
    if (!isDigit(s, i + 1) || !isDigit(s, i + 2)) return null;
    sign = s[i];
    tzh = s.slice(i + 1, i + 3);
    let j = i + 3;
    if (s[j] === ':') j++;
    if (isDigit(s, j) && isDigit(s, j + 1)) {
      tzm = s.slice(j, j + 2);
      j += 2;
    } else if (j !== i + 3) return null;
    tz = s.slice(i, j);
    i = j;
  }
  if (i !== n) return null;
  return [s, s.slice(0, 4), s.slice(5, 7), undefined, s.slice(8, 10), undefined, s[10], s.slice(11, 13), s.slice(14, 16), s.slice(17, 19), frac, tz, sign, tzh, tzm];
}

/** Parse an ISO 8601 string and return Python's isoformat() of the naive UTC datetime. */
export function isoToNaiveUtc(v: PyValue): string {
  if (typeof v !== 'string') throw new PyError('ValueError', `expected string or bytes-like object, got '${pyTypeName(v)}'`);
  const m = commonShape(v) ?? ISO8601.exec(v);
  if (!m) throw new PyError('ValueError', `Unable to parse date string ${strRepr(v)}`);
  const [, ys, mdash, mm, ddash, dd, , hh, mi, ss, frac, tz, sign, tzh, tzm] = m;
  const year = Number(ys);
  const month = Number(mm ?? mdash ?? 1);
  const day = Number(dd ?? ddash ?? 1);
  const hour = Number(hh ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(ss ?? 0);
  const micro = frac === undefined ? 0 : fractionToMicros(frac);
  if (year < 1) bad(`year ${year} is out of range`);
  if (month < 1 || month > 12) bad('month must be in 1..12');
  const dim = DAYS_IN_MONTH[month - 1]! + (month === 2 && isLeap(year) ? 1 : 0);
  if (day < 1 || day > dim) bad('day is out of range for month');
  if (hour > 23) bad('hour must be in 0..23');
  if (minute > 59) bad('minute must be in 0..59');
  if (second > 59) bad('second must be in 0..59');
  if (micro > 999999) bad('microsecond must be in 0..999999');
  let offsetMin = 0;
  if (tz !== undefined && tz !== 'Z') {
    offsetMin = Number(tzh) * 60 + Number(tzm ?? 0);
    if (offsetMin >= 24 * 60) bad('offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)');
    if (sign === '-') offsetMin = -offsetMin;
  }
  if (offsetMin === 0) {
    // Already UTC (or naive): no calendar arithmetic needed.
    const base = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
    return micro ? `${base}.${pad(micro, 6)}` : base;
  }
  let totalMin = daysFromCivil(year, month, day) * 1440 + hour * 60 + minute - offsetMin;
  const days = Math.floor(totalMin / 1440);
  totalMin -= days * 1440;
  if (days < 0 || days >= daysFromCivil(10000, 1, 1)) throw new PyError('OverflowError', 'date value out of range');
  const [y2, m2, d2] = civilFromDays(days);
  const base = `${pad(y2, 4)}-${pad(m2, 2)}-${pad(d2, 2)}T${pad(Math.floor(totalMin / 60), 2)}:${pad(totalMin % 60, 2)}:${pad(second, 2)}`;
  return micro ? `${base}.${pad(micro, 6)}` : base;
}

/** Seconds between two ISO strings, as timedelta.total_seconds() (microsecond exact). */
export function isoDeltaSeconds(a: PyValue, b: PyValue): number {
  const toMicros = (s: string): bigint => {
    const [date, time] = s.split('T') as [string, string];
    const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
    const [hms, us = '0'] = time.split('.') as [string, string?];
    const [h, mi, se] = hms.split(':').map(Number) as [number, number, number];
    const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return BigInt(secs) * 1000000n + BigInt(us.padEnd(6, '0'));
  };
  const delta = toMicros(isoToNaiveUtc(b)) - toMicros(isoToNaiveUtc(a));
  // total_seconds() = micros / 10**6 computed as a true division.
  return Number(delta) / 1e6;
}
