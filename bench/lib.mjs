// Shared helpers for benchmarks: timing with warm-up, medians, and the results file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs fn `warmup` times, then `runs` times; returns per-run milliseconds (sorted). */
export async function measure(fn, { runs = 30, warmup = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * measure() for several contenders at once: run i of each goes back to back (round-robin), so
 * load that comes and goes on a shared machine hits all of them alike. Returns name → sorted ms.
 */
export async function measureInterleaved(fns, { runs = 30, warmup = 5 } = {}) {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const n of names) await fns[n](i);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      const t0 = performance.now();
      await fns[n](i);
      times[n].push(performance.now() - t0);
    }
  }
  for (const n of names) times[n].sort((a, b) => a - b);
  return times;
}

export const median = (sorted) => sorted[Math.floor(sorted.length / 2)];
export const p90 = (sorted) => sorted[Math.floor(sorted.length * 0.9)];
export const fmt = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

/** Writes bench/results/<name>.json with the machine context, so runs can be compared later. */
export function writeResults(name, results) {
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
  console.log(`results written to ${file}`);
}
