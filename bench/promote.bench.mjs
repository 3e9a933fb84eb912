// Benchmark: the round trips and wall time of a promote (issues 7 and 16), measured in one run.
//
// Setup, per iteration (a promote changes the world, so each iteration gets a fresh one): the
// services run in a process of their own, bench/promote-servers.mjs (started with fork, driven
// over IPC): startReleaseWorld() (real registry with token auth, GitHub simulator, mock Sigstore;
// signed two-platform 1.2.3, latest on 1.2.2, draft release, approved PR, smoke release) behind
// three fault proxies that add LATENCY_MS to every request (registry, GitHub simulator, and the
// registry's token realm, which the registry proxy rewrites in WWW-Authenticate so token requests
// pay the latency too, as on ghcr.io). The proxies time every request (epoch ms); counts come
// from their logs. Only relkit's own CPU is in the measured process.
//
// 1. relkit: the real CLI as a child process, `release-cli promote X.Y.Z --yes` (bin/release-cli.js,
//    the bundled CLI, Node's compile cache on as the launcher sets it), timed from spawn to exit.
//    Gates vs execution are split by the CLI's own output lines as they arrive (the gates' verdict
//    is printed before the first step; each step prints its ✓): the lock's requests made during
//    observation count as gates time; everything after the last step is "unlock" (and exit).
//    Reported: wall time, the effective sequential round trips = wall / LATENCY_MS, the observed
//    chain depth = the longest chain of requests in the log that ran strictly one after another
//    (request start ≥ previous response end), the time before the first request (process start-up,
//    module loading, config) and the same promote at 0 ms (relkit's CPU plus the services' own
//    answer time; the services run on another core when there is one).
//
// 2. The critical-path minimum for the same job, derived from relkit's request log:
//    gates, all in parallel, depth = max of the two dependency chains:
//      registry: challenge (a 401 in the log) → token (one per scope) → tag manifests, latest and
//        the tag list at once (the X.Y.Z manifest fetched once: it gives the digest and the
//        platforms) → signature index for that digest (referrers API / `sha256-<digest>` tag,
//        and the version `latest` names, in parallel) → the referrer manifests → the bundle blobs.
//        Each level counts 1 if the log shows requests of that kind.
//      GitHub: releases, smoke release, PR search, tags at once → PR details (pull, reviews, review
//        decision, checks and statuses of the head sha from the search) at once, + 1 per
//        mergeability re-query the log shows (GitHub computes it asynchronously; a GET that says
//        "unknown" must be repeated, so it is part of the minimum).
//    then the writes, inherently sequential, each 1 round trip as counted in the log (POST, PUT,
//    PATCH, DELETE; the token and GraphQL queries aside): lock (lock commit, lock ref; the tree for
//    the commit can be read during the gates), retag (the X.Y.Z bytes come from the gates; PUT),
//    publish (PATCH), merge (PUT), unlock (DELETE); plus the reads relkit deliberately does
//    (DESIGN.md): one guard round trip after the lock (HEAD latest before each manifest PUT, since
//    immutable-tag registries refuse even a same-digest PUT; the release's state can be read in
//    the same round trip), one read-back after each irreversible write (manifest, release, merge),
//    and one re-check of the PR (all its reads in parallel, the head sha known) before the merge.
//    The push-scope token depends only on the challenge, so it can be fetched during the gates:
//    it is not on the critical path. Lock read-back and lock-owner check are NOT in the minimum
//    (the 201 of an atomic ref create is the proof of the lock); they show up in the gap.
//    minimum = gate depth + writes + guards + read-backs + re-check, in round trips, × LATENCY_MS.
//
// 2b. The harness floor: a Node process (spawn to exit, like relkit) that makes the minimum's number
//    of round trips as plain GitHub GETs one after another through the same proxy — Node's start-up
//    plus what the proxy and the simulator add to each 20 ms, with no client work. It is what any
//    Node client pays in this harness; relkit ÷ floor is relkit's own overhead.
//
// 3. The origin's way (origin-release-process.md §1.5), sequential as its shell steps are:
//    validate: `skopeo inspect --raw` of each platform (by digest: the world has no -amd64/-arm64
//    tags) and of the X.Y.Z index; a signature check (no cosign here: a stand-in, relkit's
//    verifier once with a fresh client, reported as its own row); list releases to find the
//    draft; the smoke release by tag; the PR by head/base; its reviews; its check runs; its
//    mergeability (re-queried while unknown, 50 ms apart like relkit's local setting);
//    promote: `skopeo copy --all X.Y.Z → latest`, `skopeo inspect --raw latest` (the origin's
//    verify); publish (PATCH draft=false); merge job: reviews, checks, mergeability again, then
//    PUT merge. GitHub calls are fetch() through the GitHub proxy, one call per step. Left out,
//    all in the origin's favour: gh's process start, the Actions job hand-offs, cosign itself.
//
// Run: node_modules/.bin/node bench/promote.bench.mjs   (or npm run bench -- promote)
// Env: RELKIT_BENCH_RUNS (default 7), RELKIT_BENCH_ORIGIN_RUNS (default 3, 0 = leave it out),
// RELKIT_BENCH_BASELINE_CLI (another build's bin/release-cli.js, measured alternately);
// RELKIT_BENCH_TRACE=<ms> prints one relkit promote's request timeline at that latency and stops
// (to see where round trips go); RELKIT_BENCH_CLI_NODE_ARGS / RELKIT_BENCH_SERVERS_NODE_ARGS add
// node arguments to the CLI's / the services' process (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
import { fork, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig, connectPorts } from '@relkit/connect';
import { skopeo } from '@relkit/testkit';
import { fmt, median, writeResults } from './lib.mjs';

const LATENCY_MS = 20;
const RUNS = Number(process.env.RELKIT_BENCH_RUNS ?? 7);
/** The origin's way takes seconds per run (skopeo processes): fewer runs; 0 leaves it out. */
const ORIGIN_RUNS = Math.min(RUNS, Number(process.env.RELKIT_BENCH_ORIGIN_RUNS ?? 3));
const TRACE = fileURLToPath(new URL('./trace.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../packages/cli/bin/release-cli.js', import.meta.url));
/** Extra node arguments for the CLI process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (with TRACE). */
/**
 * Another build's bin/release-cli.js (e.g. the main branch's, built elsewhere): measured in the
 * same runs, alternating with this one, so a shared machine's load hits both alike.
 */
const BASELINE = process.env.RELKIT_BENCH_BASELINE_CLI;
const CLI_NODE_ARGS = (process.env.RELKIT_BENCH_CLI_NODE_ARGS ?? '').split(' ').filter(Boolean);
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// The services' process

const servers = fork(fileURLToPath(new URL('./promote-servers.mjs', import.meta.url)), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: (process.env.RELKIT_BENCH_SERVERS_NODE_ARGS ?? '').split(' ').filter(Boolean),
});
const pending = new Map();
let nextId = 1;
await new Promise((resolve, reject) => {
  servers.on('message', (m) => {
    if (m.ready) return resolve();
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p.resolve(m);
    else p.reject(new Error(`services: ${m.error}`));
  });
  servers.once('exit', (code) => reject(new Error(`the services' process exited (${code})`)));
});
/** One request to the services' process. */
const ask = (op, args = {}) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    servers.send({ id, op, ...args });
  });

/** A fresh world in the services' process; `key` names it in later requests. */
async function proxiedWorld() {
  const { key, world } = await ask('world');
  return {
    key,
    ...world,
    setLatency: (ms) => ask('latency', { key, ms }),
    mark: async () => (await ask('mark', { key })).mark,
    log: (mark) => ask('log', { key, mark }),
    latest: async () => (await ask('latest', { key })).digest,
    stop: () => ask('stop', { key }),
  };
}

// ---------------------------------------------------------------------------------------------
// Log analysis

/** Longest chain of requests that ran strictly one after another. */
function chainDepth(entries) {
  const xs = entries.filter((e) => Number.isFinite(e.end)).sort((a, b) => a.end - b.end);
  const dp = [];
  let best = 0;
  for (let i = 0; i < xs.length; i++) {
    let m = 0;
    for (let j = 0; j < i; j++) if (xs[j].end <= xs[i].start && dp[j] > m) m = dp[j];
    dp[i] = m + 1;
    if (dp[i] > best) best = dp[i];
  }
  return best;
}

/** "GET /v2/acme/app/manifests/sha256:…" with digests, shas and ids folded, for grouping. */
function shape(e) {
  if (e.src === 'token') {
    // Only the scope's actions: the query also names the account.
    const scope = new URL(e.path, 'http://x').searchParams.get('scope') ?? '';
    return `token ${e.method} scope=${scope.replace(/^repository:[^:]+:/, '')}`;
  }
  const p = e.path
    .replace(/sha256[:-][0-9a-f]{64}/g, (m) => `${m.slice(0, 7)}<digest>`)
    .replace(/\b[0-9a-f]{40}\b/g, '<sha>')
    .replace(/\/releases\/\d+/, '/releases/<id>')
    .replace(/\?.*$/, '');
  return `${e.src === 'github' ? 'gh' : 'reg'} ${e.method} ${p}`;
}

function groupShapes(entries) {
  const m = new Map();
  for (const e of entries) m.set(shape(e), (m.get(shape(e)) ?? 0) + 1);
  return [...m].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
}

const isWrite = (e) =>
  e.src !== 'token' &&
  ['POST', 'PUT', 'PATCH', 'DELETE'].includes(e.method) &&
  !e.path.startsWith('/graphql');

/** The critical-path minimum, derived from relkit's log of one promote (see the header). */
function deriveMinimum(gateEntries, execEntries) {
  const reg = gateEntries.filter((e) => e.src === 'registry');
  const has = (pred) => (reg.some(pred) ? 1 : 0);
  const registryLevels = {
    challenge: has((e) => e.status === 401),
    token: gateEntries.some((e) => e.src === 'token') ? 1 : 0,
    'tag manifests + tag list': has(
      (e) => /\/(manifests\/[^/]+|tags\/list)/.test(e.path) && !/sha256/.test(e.path),
    ),
    'signature index': has((e) => /\/referrers\/|\/manifests\/sha256-/.test(e.path)),
    'referrer manifests': has((e) => /\/manifests\/sha256:/.test(e.path)),
    'bundle blobs': has((e) => /\/blobs\//.test(e.path)),
  };
  const gh = gateEntries.filter((e) => e.src === 'github');
  const pullGets = gh.filter((e) => e.method === 'GET' && /\/pulls\/\d+$/.test(e.path)).length;
  const githubLevels = {
    'releases, smoke, PR search, tags': gh.some((e) => /\/releases|\/pulls\?|\/git\//.test(e.path)) ? 1 : 0,
    'PR details': pullGets > 0 ? 1 : 0,
    'mergeability re-queries': Math.max(0, pullGets - 1),
  };
  const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
  const registryDepth = sum(registryLevels);
  const githubDepth = sum(githubLevels);
  const writes = execEntries.filter(isWrite);
  const count = (re) => writes.filter((e) => re.test(`${e.method} ${e.path}`)).length;
  const manifestPuts = count(/^PUT \/v2\/.*\/manifests\//);
  const publishes = count(/^PATCH .*\/releases\//);
  const merges = count(/^PUT .*\/merge$/);
  const lockWrites = count(/^POST .*\/git\/(commits|refs)$/);
  const unlocks = count(/^DELETE .*\/git\/refs\//);
  const phases = {
    gates: Math.max(registryDepth, githubDepth),
    lock: lockWrites,
    'move latest': manifestPuts * 3, // HEAD guard, PUT, read-back
    publish: publishes * 2, // PATCH, read-back
    merge: merges * 3, // PR re-check, PUT, read-back
    unlock: unlocks,
  };
  const other = writes.length - (manifestPuts + publishes + merges + lockWrites + unlocks);
  if (other) phases['other writes'] = other;
  return {
    registryLevels,
    githubLevels,
    registryDepth,
    githubDepth,
    phases,
    gateRoundTrips: phases.gates,
    execRoundTrips: sum(phases) - phases.gates,
    roundTrips: sum(phases),
  };
}

// ---------------------------------------------------------------------------------------------
// 1. relkit: the real CLI, a process of its own

/** Runs release-cli with these arguments; stdout lines come back with their arrival times. */
function runCli(args, { cwd, env, nodeArgs = [], cli = CLI }) {
  const childEnv = { ...process.env, ...env, NO_COLOR: '1' };
  delete childEnv.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const lines = [];
    let rest = '';
    let stderr = '';
    const t0 = now();
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...nodeArgs, cli, ...args], {
      cwd,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      const at = now();
      const parts = (rest + d).split('\n');
      rest = parts.pop();
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    let t1 = NaN;
    child.on('exit', () => (t1 = now()));
    child.on('close', (code) => resolve({ code, t0, t1, lines, stderr }));
  });
}

/** The phase a step line names ("[1/3] point …:latest at 1.2.3 …"). */
const stepPhase = (text) =>
  /:latest at /.test(text)
    ? 'move latest'
    : /^\[\d+\/\d+\] publish /.test(text)
      ? 'publish'
      : /merge/.test(text)
        ? 'merge'
        : text;

/**
 * One promote in a fresh world. `cpu`: preload bench/trace.mjs to read the process's own CPU
 * time (user + system) at exit; it costs a little itself, so only the 0 ms runs use it.
 */
async function relkitPromote(latencyMs, { cpu = false, cli = CLI } = {}) {
  const s = await proxiedWorld();
  const traceFile = join(tmpdir(), `relkit-bench-cpu-${process.pid}.jsonl`);
  rmSync(traceFile, { force: true });
  try {
    await s.setLatency(latencyMs);
    const mark = await s.mark();
    const run = await runCli(['promote', s.version, '--yes', '--config', s.configPath], {
      cwd: s.workspace,
      env: cpu ? { ...s.env, BENCH_TRACE_FILE: traceFile } : s.env,
      nodeArgs: cpu ? ['--import', TRACE] : [],
      cli,
    });
    const cpuUse = cpu ? JSON.parse(readFileSync(traceFile, 'utf8')) : undefined;
    if (run.code !== 0)
      throw new Error(
        `release-cli promote exited ${run.code}:\n${run.lines.map((l) => l.text).join('\n')}\n${run.stderr}`,
      );
    const { entries, counts } = await s.log(mark);
    await s.setLatency(0);
    // Correctness: latest names the exact version digest (read past the proxies, after the log).
    if ((await s.latest()) !== s.images.version.digest)
      throw new Error('relkit: latest does not name the version digest after the promote');
    const { t0, t1: t2 } = run;
    // End of the gates: the verdict line, printed right before the first step.
    const verdict = run.lines.find((l) => /gates? pass|^\[1\//.test(l.text));
    const t1 = verdict?.at ?? t0;
    const marks = [];
    let phase = 'gates';
    for (const l of run.lines) {
      if (/^\[\d+\/\d+\] /.test(l.text)) phase = stepPhase(l.text);
      else if (/^ {2}(✓|↷|!|✗) /.test(l.text)) marks.push({ phase, end: l.at });
    }
    marks.push({ phase: 'unlock', end: t2 });
    const windows = [{ phase: 'gates', start: t0, end: t1 }];
    let from = t1;
    for (const m of marks) {
      windows.push({ phase: m.phase, start: from, end: m.end });
      from = m.end;
    }
    const phaseOf = (e) => windows.find((w) => e.start >= w.start && e.start < w.end)?.phase ?? 'after';
    const phases = windows.map((w) => {
      const es = entries.filter((e) => phaseOf(e) === w.phase);
      return {
        phase: w.phase,
        ms: w.end - w.start,
        requests: es.length,
        depth: chainDepth(es),
        shapes: groupShapes(es),
      };
    });
    const gateEntries = entries.filter((e) => phaseOf(e) === 'gates');
    const execEntries = entries.filter((e) => phaseOf(e) !== 'gates');
    const firstRequest = Math.min(...entries.map((e) => e.start));
    const lastAnswer = Math.max(...entries.map((e) => e.end));
    return {
      t0,
      cpu: cpuUse?.cpuMs,
      cpuBeforeFirstRequest: cpuUse?.cpuBeforeFirstRequestMs,
      wall: t2 - t0,
      gates: t1 - t0,
      exec: t2 - t1,
      beforeFirstRequest: firstRequest - t0,
      afterLastAnswer: t2 - lastAnswer,
      counts,
      timelineCount: entries.length,
      depth: chainDepth(entries),
      gateDepth: chainDepth(gateEntries),
      execDepth: chainDepth(execEntries),
      phases,
      minimum: deriveMinimum(gateEntries, execEntries),
      log: entries.map((e) => ({ ...e, start: +(e.start - t0).toFixed(1), end: +(e.end - t0).toFixed(1) })),
    };
  } finally {
    await s.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 2b. The harness floor: what any Node client pays here before doing any work of its own

/**
 * A fresh Node process that makes `roundTrips` GitHub GETs one after another (keep-alive, like
 * relkit) through the same proxy and simulator, timed spawn to exit like release-cli: Node's
 * start-up plus the minimum's chain of round trips as this harness serves them (20 ms + the
 * proxy's and the simulator's own time per request), with no client work at all.
 */
const FLOOR_SCRIPT = `
const http = process.getBuiltinModule('node:http');
const [url, token, n] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true });
const get = () => new Promise((resolve, reject) => http.get(url, { agent, headers: {
  authorization: 'token ' + token, accept: 'application/vnd.github+json', 'user-agent': 'relkit-bench' } },
  (res) => { if (res.statusCode !== 200) reject(new Error('floor: ' + res.statusCode)); res.resume(); res.on('end', resolve); })
  .on('error', reject));
for (let i = 0; i < Number(n); i++) await get();
agent.destroy();`;

async function harnessFloor(world, roundTrips) {
  const t0 = now();
  await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        FLOOR_SCRIPT,
        `${world.githubUrl}/repos/${world.repository}`,
        world.env.GITHUB_TOKEN,
        String(roundTrips),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`harness floor exited ${code}: ${stderr}`)),
    );
  });
  return now() - t0;
}

// ---------------------------------------------------------------------------------------------
// 3. The origin's way: sequential skopeo and one HTTP call per GitHub step

async function originPromote(latencyMs) {
  const s = await proxiedWorld();
  try {
    const { config, path } = loadConfig(s.workspace, s.configPath);
    // For the signature stand-in only: a fresh client, as a separate `cosign verify` process would be.
    const ports = await connectPorts(config, path, { cwd: s.workspace, env: s.env });
    const repo = s.repository;
    const version = s.version;
    const index = s.images.version;
    const token = s.env.GITHUB_TOKEN;
    const gh = async (method, p, body) => {
      const res = await fetch(`${s.githubUrl}${p}`, {
        method,
        headers: {
          authorization: `token ${token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = res.status === 204 ? undefined : await res.json();
      if (!res.ok) throw new Error(`origin: ${method} ${p} → ${res.status} ${json?.message ?? ''}`);
      return json;
    };
    const tls = ['--tls-verify=false', '--authfile', s.authfile];
    const ref = (r) => `docker://${s.image}${r.startsWith('sha256:') ? '@' : ':'}${r}`;
    await s.setLatency(latencyMs);
    const mark = await s.mark();
    const steps = [];
    const step = async (job, name, fn) => {
      const t = performance.now();
      const out = await fn();
      steps.push({ job, name, ms: performance.now() - t });
      return out;
    };
    const t0 = performance.now();
    // validate
    for (const p of index.platforms)
      await step('validate', `skopeo inspect --raw ${p.architecture}`, () =>
        skopeo(['inspect', '--raw', ...tls, ref(p.digest)]),
      );
    await step('validate', `skopeo inspect --raw ${version}`, () =>
      skopeo(['inspect', '--raw', ...tls, ref(version)]),
    );
    const sig = await step('validate', 'signature check (stand-in for cosign verify)', () =>
      ports.signatures.verify(config.images[0].name, index.digest, config.signing),
    );
    if (sig.state !== 'verified') throw new Error(`origin: signature stand-in says ${sig.state}`);
    const releases = await step('validate', 'GET releases (find the draft)', () =>
      gh('GET', `/repos/${repo}/releases?per_page=100`),
    );
    const draft = releases.find((r) => r.tag_name === version && r.draft);
    if (!draft) throw new Error('origin: no draft release');
    const smoke = await step('validate', 'GET smoke release', () =>
      gh('GET', `/repos/${s.smokeRepository}/releases/tags/${version}`),
    );
    if (smoke.draft || smoke.prerelease) throw new Error('origin: smoke release not final');
    const owner = repo.split('/')[0];
    const [pr] = await step('validate', 'GET pulls (find the PR)', () =>
      gh(
        'GET',
        `/repos/${repo}/pulls?head=${encodeURIComponent(`${owner}:release/${version}`)}&base=main&state=open`,
      ),
    );
    if (!pr || pr.draft) throw new Error('origin: no ready PR');
    const prChecks = async (job) => {
      const reviews = await step(job, 'GET reviews', () =>
        gh('GET', `/repos/${repo}/pulls/${pr.number}/reviews`),
      );
      if (!reviews.some((r) => r.state === 'APPROVED')) throw new Error('origin: PR not approved');
      const checks = await step(job, 'GET check runs', () =>
        gh('GET', `/repos/${repo}/commits/${pr.head.sha}/check-runs?filter=latest`),
      );
      if (!checks.check_runs.every((c) => c.conclusion === 'success'))
        throw new Error('origin: checks not green');
      await step(job, 'GET pull (mergeability)', async () => {
        for (let i = 1; ; i++) {
          const full = await gh('GET', `/repos/${repo}/pulls/${pr.number}`);
          if (full.mergeable !== null && full.mergeable_state !== 'unknown') {
            if (!full.mergeable) throw new Error('origin: PR not mergeable');
            return;
          }
          if (i >= 5) throw new Error('origin: mergeability stays unknown');
          await new Promise((r) => setTimeout(r, 50));
        }
      });
    };
    await prChecks('validate');
    // promote
    await step('promote', `skopeo copy --all ${version} → latest`, () =>
      skopeo([
        'copy',
        '--all',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--authfile',
        s.authfile,
        ref(version),
        ref('latest'),
      ]),
    );
    await step('promote', 'skopeo inspect --raw latest (verify)', () =>
      skopeo(['inspect', '--raw', ...tls, ref('latest')]),
    );
    await step('promote', 'PATCH release (draft=false)', () =>
      gh('PATCH', `/repos/${repo}/releases/${draft.id}`, { draft: false }),
    );
    // merge
    await prChecks('merge');
    await step('merge', 'PUT merge', () =>
      gh('PUT', `/repos/${repo}/pulls/${pr.number}/merge`, { merge_method: 'merge' }),
    );
    const t1 = performance.now();
    const { entries, counts } = await s.log(mark);
    await s.setLatency(0);
    const sameDigest = (await s.latest()) === index.digest;
    const sigMs = steps.find((x) => x.name.startsWith('signature')).ms;
    return {
      wall: t1 - t0,
      wallWithoutSignature: t1 - t0 - sigMs,
      counts,
      timelineCount: entries.length,
      depth: chainDepth(entries),
      steps,
      latestIsVersionDigest: sameDigest,
      shapes: groupShapes(entries),
    };
  } finally {
    await s.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Run

const started = performance.now();
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
const log = (m) => process.stdout.write(`${m}\n`);
log(`promote of one two-platform image; ${LATENCY_MS} ms added to every request to the registry, its token`);
log(`service and the GitHub simulator (fault proxies, in a process of their own); ${RUNS} runs each`);
log(`(origin: ${ORIGIN_RUNS}), a fresh world per run; release-cli runs as a child process`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadBefore = load();
log(`load average before: ${loadBefore} (${availableParallelism()} CPUs)`);

log('warm-up (relkit at 0 ms, not counted)…');
await relkitPromote(0);
if (process.env.RELKIT_BENCH_TRACE) {
  // Prints one promote's request timeline at the given latency, then stops.
  const t = await relkitPromote(Number(process.env.RELKIT_BENCH_TRACE));
  for (const e of t.log)
    log(`${padl(e.start.toFixed(0), 6)} ${padl(e.end.toFixed(0), 6)} ${e.status} ${shape(e)}`);
  if (process.env.RELKIT_BENCH_TRACE_JSON)
    writeFileSync(process.env.RELKIT_BENCH_TRACE_JSON, JSON.stringify(t));
  log(JSON.stringify(t.phases.map((p) => [p.phase, Math.round(p.ms)])));
  process.exit(0);
}
const relkit20 = [];
const relkit0 = [];
const base20 = [];
const base0 = [];
const origin20 = [];
for (let i = 0; i < RUNS; i++) {
  log(`run ${i + 1}/${RUNS}: relkit @${LATENCY_MS} ms, relkit @0 ms, origin @${LATENCY_MS} ms…`);
  relkit20.push(await relkitPromote(LATENCY_MS));
  relkit0.push(await relkitPromote(0, { cpu: true }));
  if (BASELINE) {
    base20.push(await relkitPromote(LATENCY_MS, { cli: BASELINE }));
    base0.push(await relkitPromote(0, { cpu: true, cli: BASELINE }));
  }
  if (i < ORIGIN_RUNS) origin20.push(await originPromote(LATENCY_MS));
}
// The harness floor, same number of runs, in one world (its requests only read).
const floorWorld = await proxiedWorld();
const floorRoundTrips = relkit20[0].minimum.roundTrips;
const floor20 = [];
try {
  await floorWorld.setLatency(LATENCY_MS);
  for (let i = 0; i < RUNS; i++) floor20.push(await harnessFloor(floorWorld, floorRoundTrips));
} finally {
  await floorWorld.stop();
}
const loadAfter = load();

const med = (runs, f) => median(runs.map(f).sort((a, b) => a - b));
const r = {
  wall: med(relkit20, (x) => x.wall),
  gates: med(relkit20, (x) => x.gates),
  exec: med(relkit20, (x) => x.exec),
  wall0: med(relkit0, (x) => x.wall),
  cpu: med(relkit0, (x) => x.cpu),
  gates0: med(relkit0, (x) => x.gates),
  exec0: med(relkit0, (x) => x.exec),
  depth: med(relkit20, (x) => x.depth),
  gateDepth: med(relkit20, (x) => x.gateDepth),
  execDepth: med(relkit20, (x) => x.execDepth),
  requests: med(relkit20, (x) => x.counts.registry + x.counts.token + x.counts.github),
  beforeFirstRequest: med(relkit20, (x) => x.beforeFirstRequest),
  afterLastAnswer: med(relkit20, (x) => x.afterLastAnswer),
};
// The run whose wall time is the median: its log is the one analysed below.
const rep = [...relkit20].sort((a, b) => a.wall - b.wall)[Math.floor(relkit20.length / 2)];
const min = rep.minimum;
const minMs = min.roundTrips * LATENCY_MS;
const withOrigin = origin20.length > 0;
const o = withOrigin && {
  wall: med(origin20, (x) => x.wall),
  wallNoSig: med(origin20, (x) => x.wallWithoutSignature),
  depth: med(origin20, (x) => x.depth),
  requests: med(origin20, (x) => x.counts.registry + x.counts.token + x.counts.github),
};
const orep = withOrigin && [...origin20].sort((a, b) => a.wall - b.wall)[Math.floor(origin20.length / 2)];
const effective = r.wall / LATENCY_MS;

const c = (x) => `${x.registry}/${x.token}/${x.github}`;
log('');
log(
  `${pad('', 34)}${padl('wall', 10)}${padl('gates', 10)}${padl('execution', 11)}${padl('requests', 10)}  reg/tok/gh  ${padl('wall/20ms', 9)}${padl('chain', 7)}`,
);
log(
  `${pad('relkit (release-cli process)', 34)}${padl(fmt(r.wall), 10)}${padl(fmt(r.gates), 10)}${padl(fmt(r.exec), 11)}${padl(r.requests, 10)}  ${pad(c(rep.counts), 10)}  ${padl(effective.toFixed(1), 9)}${padl(r.depth, 7)}`,
);
log(
  `${pad('relkit at 0 ms (CPU + services)', 34)}${padl(fmt(r.wall0), 10)}${padl(fmt(r.gates0), 10)}${padl(fmt(r.exec0), 11)}${padl('', 10)}  ${pad('', 10)}  ${padl('', 9)}${padl('', 7)}`,
);
log(
  `${pad('critical-path minimum', 34)}${padl(fmt(minMs), 10)}${padl(fmt(min.gateRoundTrips * LATENCY_MS), 10)}${padl(fmt(min.execRoundTrips * LATENCY_MS), 11)}${padl('', 10)}  ${pad('', 10)}  ${padl(min.roundTrips, 9)}${padl(min.roundTrips, 7)}`,
);
if (withOrigin)
  log(
    `${pad('origin shell workflow', 34)}${padl(fmt(o.wall), 10)}${padl('', 10)}${padl('', 11)}${padl(o.requests, 10)}  ${pad(c(orep.counts), 10)}  ${padl((o.wall / LATENCY_MS).toFixed(1), 9)}${padl(o.depth, 7)}`,
  );
if (withOrigin) log(`${pad('origin without the signature row', 34)}${padl(fmt(o.wallNoSig), 10)}`);
log('');
log(
  `relkit round trips: effective (wall/${LATENCY_MS} ms) ${effective.toFixed(1)}, observed chain ${r.depth} (gates ${r.gateDepth}, execution ${r.execDepth}); at 0 ms ${fmt(r.wall0)}`,
);
log(
  `relkit process CPU (user + system, at 0 ms): ${fmt(r.cpu)} = ${fmt(r.cpu / r.requests)} per request (${r.requests} requests)`,
);
log(
  `relkit process: ${fmt(r.beforeFirstRequest)} from spawn to the first request (Node start-up, modules, config), ${fmt(r.afterLastAnswer)} from the last answer to exit`,
);
log(
  `critical-path minimum: ${min.roundTrips} round trips = gates ${min.gateRoundTrips} (registry chain ${min.registryDepth}, GitHub chain ${min.githubDepth}) + execution ${min.execRoundTrips}`,
);
log(
  `  registry levels: ${Object.entries(min.registryLevels)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
log(
  `  GitHub levels:   ${Object.entries(min.githubLevels)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
const ratios = {
  effectiveVsMinimum: effective / min.roundTrips,
  chainVsMinimum: r.depth / min.roundTrips,
  ...(withOrigin && {
    speedupOverOrigin: o.wall / r.wall,
    speedupOverOriginWithoutSignature: o.wallNoSig / r.wall,
  }),
};
log('');
log(
  `promote wall ÷ critical-path minimum (goal ≤ 1.3×): ${ratios.effectiveVsMinimum.toFixed(2)}× by wall time (${fmt(r.wall)} vs ${min.roundTrips} × ${LATENCY_MS} ms = ${fmt(minMs)}, ${r.requests} requests, observed chain ${r.depth} vs minimum ${min.roundTrips}: ${ratios.chainVsMinimum.toFixed(2)}×)`,
);
const floorMs = median([...floor20].sort((a, b) => a - b));
ratios.floorVsMinimum = floorMs / minMs;
ratios.relkitVsFloor = r.wall / floorMs;
log(
  `harness floor (a Node process making ${floorRoundTrips} GitHub GETs one after another through the same proxy, no work of its own): ${fmt(floorMs)} = ${ratios.floorVsMinimum.toFixed(2)}× the minimum; relkit ÷ harness floor = ${ratios.relkitVsFloor.toFixed(2)}×`,
);
log(`load average after: ${loadAfter}`);
if (BASELINE) {
  const b = {
    wall: med(base20, (x) => x.wall),
    cpu: med(base0, (x) => x.cpu),
    first: med(base20, (x) => x.beforeFirstRequest),
    depth: med(base20, (x) => x.depth),
  };
  log(
    `baseline ${BASELINE}: wall ${fmt(b.wall)} = ${(b.wall / minMs).toFixed(2)}× the minimum (this build ${fmt(r.wall)}, ${(r.wall / minMs).toFixed(2)}×); CPU ${fmt(b.cpu)} (this build ${fmt(r.cpu)}); first request after ${fmt(b.first)} (this build ${fmt(r.beforeFirstRequest)}); chain ${b.depth} (this build ${r.depth})`,
  );
}
if (withOrigin)
  log(
    `relkit speed-up over the origin's way: ${ratios.speedupOverOrigin.toFixed(2)}× (${ratios.speedupOverOriginWithoutSignature.toFixed(2)}× if the origin's signature check is left out)`,
  );
if (withOrigin)
  log(
    `origin left latest on the version digest: ${origin20.every((x) => x.latestIsVersionDigest) ? 'yes' : 'NO'} (skopeo copy --all keeps the index bytes)`,
  );

log('');
log(`where relkit's round trips go (median-wall run; minimum per phase from the header's model):`);
log(
  `${pad('phase', 13)}${padl('wall', 10)}${padl('wall/20', 9)}${padl('chain', 7)}${padl('min', 5)}${padl('extra', 7)}${padl('reqs', 6)}  requests`,
);
const phaseMin = { ...min.phases };
for (const p of rep.phases) {
  const m = phaseMin[p.phase] ?? 0;
  log(
    `${pad(p.phase, 13)}${padl(fmt(p.ms), 10)}${padl((p.ms / LATENCY_MS).toFixed(1), 9)}${padl(p.depth, 7)}${padl(m, 5)}${padl(`+${p.depth - m}`, 7)}${padl(p.requests, 6)}  ${p.shapes.join(', ')}`,
  );
}
if (withOrigin) log('\norigin steps (median-wall run):');
if (withOrigin)
  for (const st of orep.steps) log(`  ${pad(st.job, 9)} ${pad(st.name, 46)} ${padl(fmt(st.ms), 9)}`);

writeResults('promote', {
  latencyMs: LATENCY_MS,
  runs: RUNS,
  originRuns: ORIGIN_RUNS,
  loadAverage: { before: loadBefore, after: loadAfter },
  measured: 'release-cli promote --yes as a child process, spawn to exit; services in another process',
  tokenRequests: 'proxied (WWW-Authenticate realm rewritten to a token-service proxy): they pay the latency',
  relkit: {
    ...r,
    effectiveRoundTrips: effective,
    counts: rep.counts,
    runs: relkit20.map((x) => ({
      wall: x.wall,
      gates: x.gates,
      exec: x.exec,
      depth: x.depth,
      counts: x.counts,
      beforeFirstRequest: x.beforeFirstRequest,
    })),
    runsAt0: relkit0.map((x) => ({ wall: x.wall, gates: x.gates, exec: x.exec })),
    phases: rep.phases,
    log: rep.log.map((e) => ({ ...e, shape: shape(e) })),
  },
  minimum: { ...min, ms: minMs },
  harnessFloor: { ms: floorMs, roundTrips: floorRoundTrips, runs: floor20 },
  origin: withOrigin && {
    ...o,
    counts: orep.counts,
    steps: orep.steps,
    runs: origin20.map((x) => ({ wall: x.wall, depth: x.depth, counts: x.counts })),
    requests: orep.shapes,
  },
  ratios,
});
servers.disconnect();
log(`bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
