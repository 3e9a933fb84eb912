// compareNames must order exactly as localeCompare does: checked here against ICU itself.
import { describe, expect, it } from 'vitest';
import { compareNames, rootCollation } from './name-order.js';

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const sign = (n: number) => Math.sign(n);

/** A small deterministic generator (the same strings on every run). */
function strings(seed: number, count: number, alphabet: readonly string[], maxLength: number): string[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () =>
    Array.from(
      { length: Math.floor(next() * (maxLength + 1)) },
      () => alphabet[Math.floor(next() * alphabet.length)],
    ).join(''),
  );
}

describe('compareNames', () => {
  it('orders every pair of printable ASCII characters (and with a tail) as localeCompare', () => {
    for (const x of PRINTABLE)
      for (const y of PRINTABLE)
        for (const tail of ['', 'a', 'A', '-', '1']) {
          expect([x + tail, y, sign(compareNames(x + tail, y))]).toEqual([
            x + tail,
            y,
            sign((x + tail).localeCompare(y)),
          ]);
        }
  });

  it('orders check-like names as localeCompare, case and punctuation included', () => {
    const near = ['a', 'A', 'b', 'B', 'z', 'Z', '-', '_', ' ', '(', ')', '/', '.', '1', '9'];
    const names = [
      ...strings(1, 400, near, 6),
      ...strings(2, 400, PRINTABLE, 8),
      'build',
      'Build',
      'build (ubuntu-latest)',
      'build (ubuntu-latest, 22)',
      'CI / test',
      'ci/test',
      'lint',
      'Analyze (javascript)',
      'e2e',
      'E2E',
      '',
    ];
    for (const a of names)
      for (const b of names.slice(0, 60)) expect(sign(compareNames(a, b))).toBe(sign(a.localeCompare(b)));
    expect([...names].sort(compareNames)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves anything outside printable ASCII to localeCompare', () => {
    for (const [a, b] of [
      ['é', 'f'],
      ['build ✓', 'build'],
      ['tab\there', 'tab here'],
      ['Ω', 'z'],
    ] as const)
      expect(compareNames(a, b)).toBe(a.localeCompare(b));
  });

  it('uses its table only where ICU collates by the root order', () => {
    expect(rootCollation({}, 'linux')).toBe(true);
    expect(rootCollation({ LANG: 'C.UTF-8' }, 'linux')).toBe(true);
    expect(rootCollation({ LANG: 'en_US.UTF-8', LC_ALL: 'POSIX' }, 'darwin')).toBe(true);
    expect(rootCollation({ LANG: 'da_DK.UTF-8' }, 'linux')).toBe(false);
    expect(rootCollation({ LANG: 'en_US.UTF-8', LC_COLLATE: 'lt_LT.UTF-8' }, 'linux')).toBe(false);
    expect(rootCollation({ LANG: 'en_US.UTF-8@phonebook' }, 'linux')).toBe(false);
    expect(rootCollation({}, 'win32')).toBe(false);
  });
});
