import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOutcome, type CliOutcome } from './cli.js';
import { createPrng } from './prng.js';
import { foundNothingToDo, lockTtlArgs, sleep, startPromote, type PromoteSettings } from './promote.js';
import { convergenceProblems, wrongLatestDigests } from './run.js';
import { startChaosWorld } from './world.js';

export interface ContentionOptions {
  readonly bin: string;
  readonly rounds: number;
  readonly seed: number;
  /** Promotes released together per round (default 5). */
  readonly processes?: number;
  readonly latencyMs?: readonly [number, number];
  /** Long enough that no live run's lock expires under it (default 120 s). */
  readonly lockTtlSeconds?: number;
  readonly processTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface ContentionRound {
  readonly round: number;
  readonly ok: boolean;
  /** PUTs of latest the registry accepted, and merges the simulator performed. */
  readonly latestPuts: number;
  readonly merges: number;
  /** Updates that published the release (a second one is a write repeated from stale observations). */
  readonly publishes: number;
  /** Per process: 'wrote', 'nothing to do', 'lock held' or how else it ended. */
  readonly verdicts: readonly string[];
  readonly problems: readonly string[];
  readonly outcomes: readonly CliOutcome[];
}

export interface ContentionSummary {
  readonly seed: number;
  readonly rounds: number;
  readonly ok: number;
  readonly results: readonly ContentionRound[];
}

// Test-only preload for the barrier: each process says it is ready, then waits (top-level
// await holds the CLI's own module) until the harness creates `go`.
const BARRIER = `import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.env.RELKIT_CHAOS_BARRIER;
if (dir) {
  writeFileSync(join(dir, 'ready-' + process.pid), '');
  while (!existsSync(join(dir, 'go'))) await new Promise((r) => setTimeout(r, 2));
}
`;

/**
 * Each round: a fresh published release; N promotes start, wait at a barrier until all are up,
 * and are released together. Exactly one may write: one PUT of latest, one merge; every other
 * run exits 4 (lock held) or exits 0 having found nothing to do. Then the world must converge.
 */
export async function runContention(options: ContentionOptions): Promise<ContentionSummary> {
  const log = options.log ?? (() => undefined);
  const processes = options.processes ?? 5;
  const lockTtlSeconds = options.lockTtlSeconds ?? 120;
  const settings: PromoteSettings = {
    bin: options.bin,
    lockTtlSeconds,
    extraArgs: await lockTtlArgs(options.bin, lockTtlSeconds),
    processTimeoutMs: options.processTimeoutMs ?? 180_000,
  };
  const root = createPrng(options.seed);
  log(
    `contention: seed ${options.seed}, ${options.rounds} rounds of ${processes} promotes released together`,
  );
  const results: ContentionRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const r = await contentionRound(round, processes, settings, root.fork(`round-${round}`), options);
    results.push(r);
    log(
      `round ${round}: ${r.ok ? 'ok' : 'FAILED'} — ${r.latestPuts} PUT of latest, ${r.merges} merge, ${r.publishes} publish; ${r.verdicts.join(', ')}`,
    );
    if (!r.ok)
      log(
        [
          `--- round ${round} of seed ${options.seed}`,
          ...r.problems.map((p) => `problem: ${p}`),
          ...r.outcomes.map((o, i) => `--- promote ${i + 1}: ${describeOutcome(o)}`),
        ].join('\n'),
      );
  }
  return { seed: options.seed, rounds: results.length, ok: results.filter((r) => r.ok).length, results };
}

async function contentionRound(
  round: number,
  processes: number,
  settings: PromoteSettings,
  prng: ReturnType<typeof createPrng>,
  options: ContentionOptions,
): Promise<ContentionRound> {
  const problems: string[] = [];
  let outcomes: CliOutcome[] = [];
  let verdicts: string[] = [];
  let latestPuts = 0;
  let merges = 0;
  let publishes = 0;
  const dir = mkdtempSync(join(tmpdir(), 'relkit-barrier-'));
  const cw = await startChaosWorld({ prng, latencyMs: options.latencyMs ?? [5, 30] });
  try {
    const preload = join(dir, 'barrier.mjs');
    const gate = join(dir, 'gate');
    writeFileSync(preload, BARRIER);
    rmSync(gate, { force: true });
    mkdirSync(gate);
    const started = Array.from({ length: processes }, () =>
      startPromote(cw, settings, { nodeArgs: ['--import', preload], env: { RELKIT_CHAOS_BARRIER: gate } }),
    );
    const deadline = Date.now() + 120_000;
    const ready = () => readdirSync(gate).filter((f) => f.startsWith('ready-')).length;
    while (ready() < processes && Date.now() < deadline && started.every((p) => p.child.exitCode === null))
      await sleep(10);
    if (ready() < processes) problems.push(`only ${ready()} of ${processes} promotes reached the barrier`);
    writeFileSync(join(gate, 'go'), '');
    outcomes = await Promise.all(started.map((p) => p.done));
    if (!existsSync(join(gate, 'go'))) problems.push('the barrier was never opened');

    latestPuts = cw.latestEvents().filter((e) => e.method === 'PUT' && e.status === 201).length;
    merges = cw.merges();
    publishes = cw.publishes();
    verdicts = outcomes.map((o) =>
      o.timedOut
        ? 'hung'
        : o.code === 4
          ? 'lock held'
          : foundNothingToDo(o)
            ? 'nothing to do'
            : o.code === 0
              ? 'wrote'
              : `exit ${o.code ?? o.signal}`,
    );
    if (latestPuts !== 1) problems.push(`${latestPuts} PUTs of latest (expected exactly 1)`);
    if (merges !== 1) problems.push(`${merges} merges (expected exactly 1)`);
    if (publishes !== 1) problems.push(`the release was published ${publishes} times (expected exactly 1)`);
    const writers = verdicts.filter((v) => v === 'wrote').length;
    if (writers !== 1) problems.push(`${writers} runs did the promotion (expected exactly 1)`);
    const odd = verdicts.filter((v) => !['wrote', 'lock held', 'nothing to do'].includes(v));
    if (odd.length) problems.push(`runs ended neither with exit 4 nor with nothing to do: ${odd.join(', ')}`);
    outcomes
      .filter((o) => o.code === 4 && !/lock/i.test(o.stderr))
      .forEach(() => problems.push('a run exited 4 without saying the lock is held'));
    problems.push(...convergenceProblems(cw, await cw.observe()));
    problems.push(...wrongLatestDigests(cw).map((w) => `wrong digest: ${w}`));
    try {
      cw.world.github.assertNoViolations();
    } catch (e) {
      problems.push((e as Error).message);
    }
  } catch (e) {
    problems.push(`harness error: ${(e as Error).stack ?? String(e)}`);
  } finally {
    await cw.stop().catch((e: unknown) => problems.push(`stopping the world: ${String(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
  return { round, ok: problems.length === 0, latestPuts, merges, publishes, verdicts, problems, outcomes };
}
