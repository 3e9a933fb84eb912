// The order check names are listed in: String.prototype.localeCompare's, without its start-up cost.
// The first localeCompare of a process builds ICU's collator (~8 ms of CPU, the largest single
// item of a promote's GitHub side; bench: promote), while check names are nearly always printable
// ASCII, for which the default (CLDR root) collation is a small table: compareNames answers those
// from the table, exactly as localeCompare would, and hands everything else to localeCompare.

/**
 * Printable ASCII in root-collation order (non-ignorable: spaces and punctuation sort first);
 * each lowercase letter is followed by its uppercase, which shares its primary weight and sorts
 * after it only when the strings are otherwise equal (tertiary level). name-order.test.ts checks
 * the table against localeCompare.
 */
const ROOT_ORDER = ` _-,;:!?.'"()[]{}@*/\\&#%\`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ`;

/** Primary weight per code unit (0: not in the table); uppercase letters flagged apart. */
const PRIMARY = new Uint8Array(128);
const UPPER = new Uint8Array(128);
{
  let weight = 0;
  for (let i = 0; i < ROOT_ORDER.length; i++) {
    const c = ROOT_ORDER.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (!upper) weight++;
    PRIMARY[c] = weight;
    UPPER[c] = upper ? 1 : 0;
  }
}

const inTable = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || PRIMARY[c] === 0) return false;
  }
  return true;
};

/**
 * Whether localeCompare uses the root collation here: ICU takes the default locale from
 * LC_ALL / LC_MESSAGES / LANG (C, POSIX and English use the root order for ASCII), except on
 * Windows, where it comes from the system. Anything else, or unsure: localeCompare decides.
 */
export function rootCollation(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): boolean {
  if (platform === 'win32') return false;
  return [env.LC_ALL, env.LC_COLLATE, env.LC_MESSAGES, env.LANG].every(
    (v) => !v || /^(?:C|POSIX|en(?:_[A-Z]{2})?)(?:\.[A-Za-z0-9-]+)?$/.test(v),
  );
}

let root: boolean | undefined;

/** a.localeCompare(b), as a sign (-1, 0, 1) when both are printable ASCII. */
export function compareNames(a: string, b: string): number {
  if (!(root ??= rootCollation()) || !inTable(a) || !inTable(b)) return a.localeCompare(b);
  let tertiary = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (PRIMARY[x] !== PRIMARY[y]) return PRIMARY[x]! < PRIMARY[y]! ? -1 : 1;
    if (tertiary === 0 && UPPER[x] !== UPPER[y]) tertiary = UPPER[x]! < UPPER[y]! ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return tertiary;
}
