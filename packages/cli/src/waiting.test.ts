import { describe, expect, it } from 'vitest';
import { waitingFor, watchSilence } from './waiting.js';

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

describe('watchSilence', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('says nothing while touches keep coming, then names what it waits for', async () => {
    const err: string[] = [];
    const watch = watchSilence({ stderr: (t) => err.push(t), isTTY: false }, 'GitHub', {
      silenceMs: 40,
      repeatMs: 1000,
    });
    for (let i = 0; i < 4; i++) {
      await sleep(15);
      watch.touch();
    }
    expect(err).toEqual([]);
    watch.touch('publish GitHub release v1.2.3');
    await sleep(80);
    watch.stop();
    expect(err).toEqual(['still waiting for publish GitHub release v1.2.3 (0s)\n']);
    await sleep(60);
    expect(err).toHaveLength(1);
  });

  it('clears a drawn terminal line before the next touch', async () => {
    const err: string[] = [];
    const watch = watchSilence({ stderr: (t) => err.push(t), isTTY: true }, 'GitHub', { silenceMs: 20 });
    await sleep(50);
    watch.touch();
    expect(err[0]).toMatch(/^\rstill waiting for GitHub/);
    expect(err.at(-1)).toBe('\r\x1b[K');
    const n = err.length;
    watch.stop();
    expect(err).toHaveLength(n);
  });
});
