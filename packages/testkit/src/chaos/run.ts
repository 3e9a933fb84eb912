import { describeOutcome, type CliOutcome } from './cli.js';
import { readLockSnapshot } from './lock-state.js';
import { createPrng, type Prng } from './prng.js';
import type { RequestKillPoint } from './proxy.js';
import { lockTtlArgs, sleep, startPromote, type PromoteSettings } from './promote.js';
import { startChaosWorld, type ChaosWorld, type WorldObservation } from './world.js';

export interface ChaosOptions {
  /** The release-cli bin (packages/cli/bin/release-cli.js). */
  readonly bin: string;
  readonly runs: number;
  readonly seed: number;
  /** Only these run indexes (to reproduce one run of a seed). */
  readonly only?: readonly number[];
  /** Random latency per request through the proxies, [min, max] ms (default 5–30). */
  readonly latencyMs?: readonly [number, number];
  /** The TTL a killed holder's lock has (default 3 s: re-runs wait it out). */
  readonly lockTtlSeconds?: number;
  /** Runs in parallel, each in its own world (default 1). */
  readonly concurrency?: number;
  /** Per CLI process (default 180 s). */
  readonly processTimeoutMs?: number;
  /** Attempts per run before it counts as not converging (default 25). */
  readonly maxAttempts?: number;
  readonly log?: (line: string) => void;
}

/** A kill of one attempt: a moment after spawn, or a request (held, or applied and unanswered). */
export type KillPlan =
  { readonly kind: 'time'; readonly afterMs: number } | ({ readonly kind: 'request' } & RequestKillPoint);

export interface ChaosRunResult {
  readonly index: number;
  readonly seed: number;
  readonly converged: boolean;
  /** Requests that moved `latest` to, or served it as, a digest other than previous / X.Y.Z. */
  readonly wrongDigests: readonly string[];
  readonly kills: number;
  /** Kills that hit while a request was in flight (held, applied and unanswered, or on its way). */
  readonly killsDuringRequests: number;
  readonly attempts: readonly CliOutcome[];
  readonly problems: readonly string[];
  readonly observation: WorldObservation | undefined;
}

export interface ChaosSummary {
  readonly seed: number;
  readonly runs: number;
  readonly converged: number;
  /** Runs in which `latest` pointed at (or was written with) another digest. */
  readonly wrongDigest: number;
  readonly kills: number;
  readonly killsDuringRequests: number;
  /** Runs killed at least once (a kill planned after spawn may come after a fast run ended). */
  readonly killedRuns: number;
  readonly calibration: Calibration;
  readonly results: readonly ChaosRunResult[];
}

/** What one undisturbed promote looks like: how many requests, how long. */
export interface Calibration {
  readonly requests: number;
  readonly durationMs: number;
}

const DEFAULTS: {
  latencyMs: readonly [number, number];
  lockTtlSeconds: number;
  concurrency: number;
  processTimeoutMs: number;
  maxAttempts: number;
} = {
  latencyMs: [5, 30],
  lockTtlSeconds: 3,
  concurrency: 1,
  processTimeoutMs: 180_000,
  maxAttempts: 25,
};

/**
 * `npm run chaos`: each run promotes a fresh published release while SIGKILLing the CLI 1–3
 * times at random moments (a random delay after spawn, a few ms after the Nth request it sends
 * arrived, or at that request: held by the proxy, or applied by the service with the answer
 * withheld), then re-runs promote until it
 * exits 0, and checks convergence and that `latest` only ever named the previous or X.Y.Z digest.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const o = { ...DEFAULTS, ...options };
  const log = options.log ?? (() => undefined);
  const root = createPrng(o.seed);
  const settings: PromoteSettings = {
    bin: o.bin,
    lockTtlSeconds: o.lockTtlSeconds,
    extraArgs: await lockTtlArgs(o.bin, o.lockTtlSeconds),
    processTimeoutMs: o.processTimeoutMs,
  };
  const calibration = await calibrate(settings, root.fork('calibration'), o.latencyMs);
  log(
    `chaos: seed ${o.seed}, ${o.runs} runs, latency ${o.latencyMs[0]}–${o.latencyMs[1]} ms, lock TTL ${o.lockTtlSeconds} s; ` +
      `an undisturbed promote sends ${calibration.requests} requests in ${calibration.durationMs} ms`,
  );
  const indexes = [...Array(o.runs).keys()].filter((i) => !options.only || options.only.includes(i));
  const results: ChaosRunResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!;
      const r = await chaosRun(index, o.seed, root.fork(`run-${index}`), settings, calibration, o);
      results.push(r);
      log(
        `run ${index}: ${r.converged ? 'converged' : 'NOT CONVERGED'} after ${r.attempts.length} attempts, ` +
          `${r.kills} kills (${r.killsDuringRequests} during requests): ${trail(r)}` +
          (r.wrongDigests.length ? `, WRONG DIGEST ${r.wrongDigests.join(', ')}` : ''),
      );
      if (!r.converged || r.wrongDigests.length) log(describeFailure(r));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  results.sort((a, b) => a.index - b.index);
  return {
    seed: o.seed,
    runs: results.length,
    converged: results.filter((r) => r.converged).length,
    wrongDigest: results.filter((r) => r.wrongDigests.length > 0).length,
    kills: results.reduce((n, r) => n + r.kills, 0),
    killsDuringRequests: results.reduce((n, r) => n + r.killsDuringRequests, 0),
    killedRuns: results.filter((r) => r.kills > 0).length,
    calibration,
    results,
  };
}

async function calibrate(
  settings: PromoteSettings,
  prng: Prng,
  latencyMs: readonly [number, number],
): Promise<Calibration> {
  const cw = await startChaosWorld({ prng, latencyMs });
  try {
    const started = Date.now();
    const out = await startPromote(cw, settings).done;
    if (out.code !== 0) throw new Error(`an undisturbed promote failed:\n${describeOutcome(out)}`);
    return { requests: cw.kill.count, durationMs: Date.now() - started };
  } finally {
    cw.world.github.assertNoViolations();
    await cw.stop();
  }
}

function planKill(prng: Prng, c: Calibration): KillPlan {
  const roll = prng.next();
  // A moment after spawn, early (startup, config, first reads): a loaded machine may be slower
  // than the calibration run, rarely faster by half.
  if (roll < 0.1) return { kind: 'time', afterMs: prng.int(0, Math.round(c.durationMs * 0.5)) };
  const request = prng.int(1, Math.max(1, c.requests));
  if (roll < 0.35) return { kind: 'request', request, phase: 'delay', delayMs: prng.int(0, 60) };
  return { kind: 'request', request, phase: prng.pick(['before-forward', 'after-apply'] as const) };
}

async function chaosRun(
  index: number,
  seed: number,
  prng: Prng,
  settings: PromoteSettings,
  calibration: Calibration,
  o: typeof DEFAULTS,
): Promise<ChaosRunResult> {
  const problems: string[] = [];
  const attempts: CliOutcome[] = [];
  let cw: ChaosWorld | undefined;
  let observation: WorldObservation | undefined;
  let wrongDigests: string[] = [];
  let kills = 0;
  let killsDuringRequests = 0;
  try {
    cw = await startChaosWorld({ prng, latencyMs: o.latencyMs });
    const { world } = cw;
    const planned = prng.int(1, 3);
    let succeeded = false;
    for (let attempt = 0; attempt < o.maxAttempts && !succeeded; attempt++) {
      const plan = kills < planned ? planKill(prng, calibration) : undefined;
      cw.kill.count = 0;
      cw.kill.point = plan?.kind === 'request' ? plan : undefined;
      const p = startPromote(cw, settings);
      cw.kill.trigger = (where) => p.kill(where);
      const timer =
        plan?.kind === 'time'
          ? setTimeout(
              () => void p.kill(`${plan.afterMs} ms after spawn, ${cw!.kill.inFlight} requests in flight`),
              plan.afterMs,
            )
          : undefined;
      const out = await p.done;
      clearTimeout(timer);
      cw.kill.trigger = undefined;
      cw.kill.point = undefined;
      attempts.push(out);
      if (out.timedOut) {
        problems.push(`attempt ${attempt + 1} hung for ${settings.processTimeoutMs} ms`);
        continue;
      }
      if (out.killed) {
        kills++;
        if (/^request|, [1-9]\d* requests in flight/.test(out.killedAt ?? '')) killsDuringRequests++;
        continue;
      }
      if (out.code === 0) succeeded = true;
      else if (out.code === 4) {
        // A killed holder's lock: wait until it expires (as read through the simulator), then re-run.
        const lock = await readLockSnapshot(world.github, world.repository);
        const wait = lock.heldUntil !== undefined ? lock.heldUntil - Date.now() + 250 : 500;
        await sleep(Math.min(Math.max(wait, 250), (settings.lockTtlSeconds + 5) * 1000));
      } else {
        problems.push(
          `attempt ${attempt + 1} exited ${out.code ?? out.signal} (expected 0, or 4 while a killed run's lock lasts)`,
        );
      }
    }
    if (!succeeded) problems.push(`promote never exited 0 in ${o.maxAttempts} attempts`);
    observation = await cw.observe();
    problems.push(...convergenceProblems(cw, observation));
    wrongDigests = wrongLatestDigests(cw);
    try {
      world.github.assertNoViolations();
    } catch (e) {
      problems.push((e as Error).message);
    }
  } catch (e) {
    problems.push(`harness error: ${(e as Error).stack ?? String(e)}`);
  } finally {
    await cw?.stop().catch((e: unknown) => problems.push(`stopping the world: ${String(e)}`));
  }
  return {
    index,
    seed,
    converged: problems.length === 0,
    wrongDigests,
    kills,
    killsDuringRequests,
    attempts,
    problems,
    observation,
  };
}

/** What is not as a promoted X.Y.Z must be: latest = its index, release published, PR merged, lock free. */
export function convergenceProblems(cw: ChaosWorld, seen: WorldObservation): string[] {
  const { world } = cw;
  const problems: string[] = [];
  if (seen.latest !== world.images.version.digest)
    problems.push(
      `latest is ${seen.latest ?? 'missing'}, not ${world.version} (${world.images.version.digest})`,
    );
  if (seen.releaseDraft !== false)
    problems.push(
      `release ${world.version} is ${seen.releaseDraft === undefined ? 'missing' : 'still a draft'}`,
    );
  if (!seen.merged) problems.push(`PR #${world.pullRequest} is not merged`);
  if (!seen.lock.free)
    problems.push(
      `the lock is still held: ${seen.lock.refs.map((r) => `${r.ref} ${r.state}: ${r.message.replace(/\s+/g, ' ')}`).join('; ')}`,
    );
  return problems;
}

/** Every latest write or answer naming a digest other than the previous version's or X.Y.Z's. */
export function wrongLatestDigests(cw: ChaosWorld): string[] {
  const { images } = cw.world;
  const wrong: string[] = [];
  for (const e of cw.latestEvents()) {
    // A PUT must only ever move latest to X.Y.Z (even one that never arrived says what was meant).
    if (e.method === 'PUT' && e.bodyDigest !== images.version.digest)
      wrong.push(`PUT latest → ${e.bodyDigest ?? '(empty)'} (${e.status})`);
    if (
      e.method !== 'PUT' &&
      e.servedDigest !== undefined &&
      e.servedDigest !== images.version.digest &&
      e.servedDigest !== images.previous.digest
    )
      wrong.push(`${e.method} latest served ${e.servedDigest}`);
  }
  return wrong;
}

/** Each attempt in a word: where it was killed, or how it exited. */
export function trail(r: ChaosRunResult): string {
  return r.attempts
    .map((a) =>
      a.killed ? `killed at ${a.killedAt ?? '?'}` : a.timedOut ? 'hung' : `exit ${a.code ?? a.signal}`,
    )
    .join(' → ');
}

/** The seed, the problems and every attempt's output: what reproducing a failed run needs. */
export function describeFailure(r: ChaosRunResult): string {
  return [
    `--- run ${r.index} of seed ${r.seed} (reproduce: npm run chaos -- --seed ${r.seed} --runs ${r.index + 1} --only ${r.index})`,
    ...r.problems.map((p) => `problem: ${p}`),
    ...r.wrongDigests.map((w) => `wrong digest: ${w}`),
    ...r.attempts.map((a, i) => `--- attempt ${i + 1}: ${describeOutcome(a)}`),
  ].join('\n');
}
