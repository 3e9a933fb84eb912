import { describe, expect, it } from 'vitest';
import { compareFindingKeys } from './image.js';

const SOURCES = ['referrers-api', 'referrers-tag', 'legacy-sig', 'legacy-att', 'github-attestations'];
const HEX = '0123456789abcdef';
const CHARS = '-:0123456789abcdefghijklmnopqrstuvwxyz';

// A tiny deterministic generator: the test is the same on every run.
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = (s: string, n: number) => Array.from({ length: n }, () => s[rand(s.length)]).join('');
const digest = () => `sha256:${pick(HEX, 64)}`;

describe('compareFindingKeys', () => {
  it('orders findings as localeCompare does, for the keys findings have and any string of their characters', () => {
    const keys: string[] = [];
    for (let i = 0; i < 300; i++) {
      const source = SOURCES[rand(SOURCES.length)]!;
      const manifest = source === 'github-attestations' ? `github:${digest()}` : digest();
      keys.push(source + manifest + (rand(4) === 0 ? '' : digest()));
      keys.push(pick(CHARS, rand(12)));
    }
    // Shared prefixes, so later characters decide too.
    keys.push(
      'legacy-sigsha256:0',
      'legacy-sigsha256:',
      'legacy-sigsha256:a',
      'legacy-sig',
      'a:0',
      'a0:',
      'a-0',
    );
    for (const a of keys)
      for (const b of keys.slice(0, 60)) expect(compareFindingKeys(a, b)).toBe(Math.sign(a.localeCompare(b)));
  });

  it('leaves other characters to localeCompare', () => {
    for (const [a, b] of [
      ['Sha256:AB', 'sha256:ab'],
      ['é', 'f'],
      ['a_b', 'a-b'],
    ] as const)
      expect(compareFindingKeys(a, b)).toBe(a.localeCompare(b));
  });
});
