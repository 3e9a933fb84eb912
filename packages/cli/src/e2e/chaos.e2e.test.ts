// Chaos as a test: the fixed-seed sample of `npm run chaos` (tools/chaos.mjs). The real
// release-cli process is SIGKILLed at random moments, during requests too, through proxies adding
// 5–30 ms per request, and re-run until it exits 0; the world must converge and `latest` must
// never name another digest. Then promotes released together by a barrier: exactly one writes.
// RELKIT_CHAOS_RUNS / RELKIT_CHAOS_ROUNDS / RELKIT_CHAOS_SEED change the sample (npm run chaos
// runs 50 and 20 by default).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeFailure, describeOutcome, runChaos, runContention } from '@relkit/testkit';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
const SEED = Number(process.env.RELKIT_CHAOS_SEED ?? 14);
const RUNS = Number(process.env.RELKIT_CHAOS_RUNS ?? 5);
const ROUNDS = Number(process.env.RELKIT_CHAOS_ROUNDS ?? 3);
// Generous: a loaded 2-core machine; each run waits out a killed holder's 3 s lock once or twice.
const BUDGET_MS = 600_000;

describe('chaos (seed ' + SEED + ')', () => {
  it(
    `${RUNS} promotes killed at random moments converge, and latest never names another digest`,
    async () => {
      const summary = await runChaos({ bin: BIN, seed: SEED, runs: RUNS });
      const failures = summary.results.filter((r) => !r.converged || r.wrongDigests.length);
      // The message carries the seed and every attempt's CLI output.
      expect(
        { runs: summary.runs, converged: summary.converged, wrongDigest: summary.wrongDigest },
        failures.map(describeFailure).join('\n\n'),
      ).toEqual({ runs: RUNS, converged: RUNS, wrongDigest: 0 });
      // The sample does kill, and kills while requests are in flight (a kill at the Nth request
      // of a first attempt always comes; one at a delay after spawn may come too late on a fast run).
      expect(summary.killedRuns).toBeGreaterThan(0);
      expect(summary.killsDuringRequests).toBeGreaterThan(0);
    },
    BUDGET_MS,
  );

  it(
    `5 promotes released together, ${ROUNDS} rounds: one PUT of latest and one merge per round`,
    async () => {
      const summary = await runContention({ bin: BIN, seed: SEED, rounds: ROUNDS });
      const failed = summary.results.filter((r) => !r.ok);
      expect(
        failed.map((r) => ({ round: r.round, problems: r.problems })),
        failed
          .flatMap((r) =>
            r.outcomes.map((o, i) => `--- round ${r.round}, promote ${i + 1}: ${describeOutcome(o)}`),
          )
          .join('\n'),
      ).toEqual([]);
      for (const r of summary.results)
        expect({ puts: r.latestPuts, merges: r.merges, publishes: r.publishes }).toEqual({
          puts: 1,
          merges: 1,
          publishes: 1,
        });
    },
    BUDGET_MS,
  );
});
