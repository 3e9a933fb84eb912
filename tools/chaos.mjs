#!/usr/bin/env node
// `npm run chaos`: the chaos harness (packages/testkit/src/chaos) against the built release-cli.
//   1. ≥ 50 runs: promote is SIGKILLed 1–3 times at random moments (a delay after spawn, a few ms
//      after its Nth request arrived, or at that request: held by a proxy, or applied by the
//      registry/GitHub with the answer withheld),
//      with 5–30 ms of random latency per request, then re-run until it exits 0; the world must
//      converge and `latest` must never name another digest than the previous one or X.Y.Z's.
//   2. 20 contention rounds: 5 promotes released together by a barrier; exactly one writes.
// Options: --runs N (50), --seed S (random; printed), --only I[,J] (reproduce runs of a seed),
// --rounds R (20; 0 skips), --concurrency C (2), --lock-ttl SECONDS (3), --no-contention.
// Exits 1 on any run that did not converge, any wrong digest or any failed contention round.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChaos, runContention } from '@relkit/testkit';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'packages', 'cli', 'bin', 'release-cli.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    seed: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    'lock-ttl': { type: 'string', default: '3' },
    'no-contention': { type: 'boolean', default: false },
  },
});
const int = (name, v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`chaos: --${name} wants a whole number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', values.seed);
const say = (line) => process.stdout.write(`${line}\n`);
say(`chaos: seed ${seed} (reproduce with: npm run chaos -- --seed ${seed})`);
const started = Date.now();

const chaos = await runChaos({
  bin,
  seed,
  runs: int('runs', values.runs),
  ...(values.only ? { only: values.only.split(',').map((i) => int('only', i)) } : {}),
  concurrency: Math.max(1, int('concurrency', values.concurrency)),
  lockTtlSeconds: int('lock-ttl', values['lock-ttl']),
  log: say,
});
say(
  `chaos: runs ${chaos.runs}, converged ${chaos.converged}, wrong-digest ${chaos.wrongDigest} ` +
    `(${chaos.killedRuns} runs killed: ${chaos.kills} kills, ${chaos.killsDuringRequests} during requests; seed ${seed})`,
);
let failed = chaos.converged !== chaos.runs || chaos.wrongDigest !== 0;

const rounds = values['no-contention'] ? 0 : int('rounds', values.rounds);
if (rounds > 0) {
  const c = await runContention({ bin, seed, rounds, log: say });
  say(`contention: rounds ${c.rounds}, ok ${c.ok}, failed ${c.rounds - c.ok} (seed ${seed})`);
  failed ||= c.ok !== c.rounds;
}
say(
  `chaos: ${failed ? 'FAILED' : 'passed'} in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed})`,
);
process.exit(failed ? 1 : 0);
