import { describe, expect, it } from 'vitest';
import { waitingFor } from './waiting.js';

const later = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe('waitingFor', () => {
  it('says nothing when the answer comes before the silence limit', async () => {
    const err: string[] = [];
    expect(await waitingFor({ stderr: (t) => err.push(t), isTTY: false }, 'GitHub', later(5, 42))).toBe(42);
    expect(err).toEqual([]);
  });

  it('prints periodic lines when not a terminal', async () => {
    const err: string[] = [];
    await waitingFor({ stderr: (t) => err.push(t), isTTY: false }, 'ghcr.io', later(130, 1), {
      silenceMs: 20,
      repeatMs: 40,
    });
    expect(err.length).toBeGreaterThanOrEqual(2);
    expect(err.every((l) => /^still waiting for ghcr\.io \(\d+s\)\n$/.test(l))).toBe(true);
  });

  it('redraws one line on a terminal and clears it at the end', async () => {
    const err: string[] = [];
    await waitingFor({ stderr: (t) => err.push(t), isTTY: true }, 'GitHub', later(60, 1), { silenceMs: 20 });
    expect(err[0]).toMatch(/^\r still waiting|^\rstill waiting for GitHub/);
    expect(err.at(-1)).toBe('\r\x1b[K');
  });
});
