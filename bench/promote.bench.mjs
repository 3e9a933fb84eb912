// Benchmark: the round trips of a promote (issue 7, "Performance"), measured in one run.
//
// Setup, per iteration (a promote changes the world, so each iteration gets a fresh one):
// startReleaseWorld() (real registry with token auth, GitHub simulator, mock Sigstore; signed
// two-platform 1.2.3, latest on 1.2.2, draft release, approved PR, smoke release) and three
// fault proxies that add LATENCY_MS to every request: one in front of the registry (the config's
// image host is rewritten to it), one in front of the GitHub simulator (RELKIT_GITHUB_API_URL),
// and one in front of the registry's token realm. The registry names its realm in the
// WWW-Authenticate challenge; this bench rewrites that header on the registry proxy's responses
// so token requests also go through a proxy and pay the latency, as they do on ghcr.io (the
// token service is on the same far-away host). Requests are timed with node:diagnostics_channel
// (`http.server.request.start` on the proxies' ports); counts come from the proxies' logs.
//
// 1. relkit: an in-process promote (loadConfig + connectPorts + createReleaseService), split into
//    gates (observe + evaluate, with the lock taken meanwhile) and execution, through
//    service.promote (the path release-cli takes with --yes). Reported: wall time, the
//    effective sequential round trips = wall / LATENCY_MS, and the observed chain depth = the
//    longest chain of requests in the log that ran strictly one after another (request start ≥
//    previous response end). The same promote at 0 ms is printed as the CPU floor: the
//    simulators, proxies and clients share this process (CPU overlaps waiting, so the two walls
//    must not be subtracted).
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
// Env: RELKIT_BENCH_RUNS (default 3); RELKIT_BENCH_TRACE=<ms> prints one relkit promote's request
// timeline at that latency and stops (to see where round trips go).
import dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectPorts, loadConfig } from '@relkit/connect';
import { createReleaseService } from '@relkit/release-core';
import { skopeo, startFaultProxy, startReleaseWorld } from '@relkit/testkit';
import { fmt, median, writeResults } from './lib.mjs';

const LATENCY_MS = 20;
const RUNS = Number(process.env.RELKIT_BENCH_RUNS ?? 3);

// ---------------------------------------------------------------------------------------------
// Request timeline of the proxies (and the realm rewrite on the registry proxy)

/** port → { name, realm?: { from, to } } for the proxies of the current world. */
const proxyPorts = new Map();
/** Every request seen by a proxy: { src, method, path, status, start, end }. */
const timeline = [];
const onRequestStart = ({ request, response, socket }) => {
  const p = proxyPorts.get(socket.localPort);
  if (!p) return;
  const e = {
    src: p.name,
    method: request.method,
    path: request.url,
    status: 0,
    start: performance.now(),
    end: NaN,
  };
  timeline.push(e);
  if (p.realm) {
    const writeHead = response.writeHead;
    response.writeHead = function (status, ...rest) {
      const h = rest.at(-1);
      if (h && typeof h === 'object' && typeof h['www-authenticate'] === 'string')
        h['www-authenticate'] = h['www-authenticate'].replace(p.realm.from, p.realm.to);
      return writeHead.call(this, status, ...rest);
    };
  }
  response.on('finish', () => {
    e.end = performance.now();
    e.status = response.statusCode;
  });
  response.on('close', () => {
    if (!Number.isFinite(e.end)) e.end = performance.now();
  });
};
dc.subscribe('http.server.request.start', onRequestStart);

const portOf = (url) => Number(new URL(url).port);

/** A fresh release world with every service behind a latency proxy; relkit pointed at the proxies. */
async function proxiedWorld() {
  const world = await startReleaseWorld();
  const stops = [() => world.stop()];
  try {
    const realm = new URL(world.registry.tokenIssuer.url).origin;
    const [reg, gh, tok] = await Promise.all([
      startFaultProxy(world.registry.url),
      startFaultProxy(world.github.url),
      startFaultProxy(realm),
    ]);
    stops.push(
      () => reg.stop(),
      () => gh.stop(),
      () => tok.stop(),
    );
    proxyPorts.clear();
    proxyPorts.set(portOf(reg.url), { name: 'registry', realm: { from: realm, to: tok.url } });
    proxyPorts.set(portOf(gh.url), { name: 'github' });
    proxyPorts.set(portOf(tok.url), { name: 'token' });

    const config = JSON.parse(readFileSync(world.configPath, 'utf8'));
    config.images = config.images.map((i) => ({ ...i, name: i.name.replace(world.registry.host, reg.host) }));
    const configPath = join(world.workspace, 'release.bench.config.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const dockerDir = join(world.workspace, '.docker-bench');
    mkdirSync(dockerDir, { recursive: true });
    const { username, password } = world.registry.credentials;
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    const authfile = join(dockerDir, 'config.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [reg.host]: { auth } } }));
    const env = { ...process.env, ...world.env, RELKIT_GITHUB_API_URL: gh.url, DOCKER_CONFIG: dockerDir };
    return {
      world,
      proxies: [reg, gh, tok],
      reg,
      gh,
      configPath,
      authfile,
      env,
      image: `${reg.host}/${world.imageRepository}`,
      setLatency: (ms) => [reg, gh, tok].forEach((p) => p.setLatency(ms)),
      proxyLogCounts: () => ({ registry: reg.log.length, token: tok.log.length, github: gh.log.length }),
      resetLogs: () => [reg, gh, tok].forEach((p) => p.resetLog()),
      stop: async () => {
        proxyPorts.clear();
        for (const s of stops.reverse()) await s().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw e;
  }
}

/** Lets the last responses' 'finish' events run before the timeline is read. */
const settle = () => new Promise((r) => setTimeout(r, 5));

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
// 1. relkit, in process

async function relkitPromote(latencyMs) {
  const s = await proxiedWorld();
  try {
    const { config, path } = loadConfig(s.world.workspace, s.configPath);
    const ports = await connectPorts(config, path, { cwd: s.world.workspace, env: s.env });
    const service = createReleaseService(config, ports);
    s.setLatency(latencyMs);
    s.resetLogs();
    const mark = timeline.length;
    const marks = [];
    const t0 = performance.now();
    // The real promote path: observation and the lock run together; onPlan marks the end of the
    // gates (the lock's requests made meanwhile count as gates time).
    let t1 = t0;
    let stepName = 'gates';
    const result = await service.promote(s.world.version, {
      holder: 'bench',
      onPlan: (plan) => {
        t1 = performance.now();
        if (plan.verdict !== 'pass') throw new Error(`gates did not pass: ${JSON.stringify(plan.gates)}`);
      },
      onEvent: (e) => {
        const now = performance.now();
        if (e.type === 'lock-acquired') return;
        if (e.type === 'step-started') {
          const k = e.step.step.kind;
          stepName =
            k === 'move-tag'
              ? 'move latest'
              : k === 'publish-release'
                ? 'publish'
                : k === 'merge-pr'
                  ? 'merge'
                  : k;
        } else if (e.type !== 'lock-released') marks.push({ phase: stepName, end: now });
        else marks.push({ phase: 'unlock', end: now });
      },
    });
    const t2 = performance.now();
    await settle();
    if (result.status !== 'succeeded') throw new Error(`promote failed: ${result.error?.message}`);
    const entries = timeline.slice(mark);
    const counts = s.proxyLogCounts();
    // Correctness: latest names the exact version digest (read without latency, after the log).
    s.setLatency(0);
    const latest = await ports.registry.observeManifest(config.images[0].name, 'latest');
    if (latest.state !== 'found' || latest.digest !== s.world.images.version.digest)
      throw new Error('relkit: latest does not name the version digest after the promote');

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
    return {
      wall: t2 - t0,
      gates: t1 - t0,
      exec: t2 - t1,
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
// 3. The origin's way: sequential skopeo and one HTTP call per GitHub step

async function originPromote(latencyMs) {
  const s = await proxiedWorld();
  try {
    const { config, path } = loadConfig(s.world.workspace, s.configPath);
    // For the signature stand-in only: a fresh client, as a separate `cosign verify` process would be.
    const ports = await connectPorts(config, path, { cwd: s.world.workspace, env: s.env });
    const repo = s.world.repository;
    const version = s.world.version;
    const index = s.world.images.version;
    const token = s.env.GITHUB_TOKEN;
    const gh = async (method, p, body) => {
      const res = await fetch(`${s.gh.url}${p}`, {
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
    s.setLatency(latencyMs);
    s.resetLogs();
    const mark = timeline.length;
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
      gh('GET', `/repos/${s.world.smokeRepository}/releases/tags/${version}`),
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
    await settle();
    const entries = timeline.slice(mark);
    const counts = s.proxyLogCounts();
    s.setLatency(0);
    const latest = await ports.registry.observeManifest(config.images[0].name, 'latest');
    const sameDigest = latest.state === 'found' && latest.digest === index.digest;
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
log(`service and the GitHub simulator (fault proxies); ${RUNS} runs each, a fresh world per run`);

log('warm-up (relkit at 0 ms, not counted)…');
await relkitPromote(0);
if (process.env.RELKIT_BENCH_TRACE) {
  // Prints one promote's request timeline at the given latency, then stops.
  const t = await relkitPromote(Number(process.env.RELKIT_BENCH_TRACE));
  for (const e of t.log)
    log(`${padl(e.start.toFixed(0), 6)} ${padl(e.end.toFixed(0), 6)} ${e.status} ${shape(e)}`);
  log(JSON.stringify(t.phases.map((p) => [p.phase, Math.round(p.ms)])));
  process.exit(0);
}
const relkit20 = [];
const relkit0 = [];
const origin20 = [];
for (let i = 0; i < RUNS; i++) {
  log(`run ${i + 1}/${RUNS}: relkit @${LATENCY_MS} ms, relkit @0 ms, origin @${LATENCY_MS} ms…`);
  relkit20.push(await relkitPromote(LATENCY_MS));
  relkit0.push(await relkitPromote(0));
  origin20.push(await originPromote(LATENCY_MS));
}

const med = (runs, f) => median(runs.map(f).sort((a, b) => a - b));
const r = {
  wall: med(relkit20, (x) => x.wall),
  gates: med(relkit20, (x) => x.gates),
  exec: med(relkit20, (x) => x.exec),
  wall0: med(relkit0, (x) => x.wall),
  gates0: med(relkit0, (x) => x.gates),
  exec0: med(relkit0, (x) => x.exec),
  depth: med(relkit20, (x) => x.depth),
  gateDepth: med(relkit20, (x) => x.gateDepth),
  execDepth: med(relkit20, (x) => x.execDepth),
  requests: med(relkit20, (x) => x.counts.registry + x.counts.token + x.counts.github),
};
// The run whose wall time is the median: its log is the one analysed below.
const rep = [...relkit20].sort((a, b) => a.wall - b.wall)[Math.floor(relkit20.length / 2)];
const min = rep.minimum;
const minMs = min.roundTrips * LATENCY_MS;
const o = {
  wall: med(origin20, (x) => x.wall),
  wallNoSig: med(origin20, (x) => x.wallWithoutSignature),
  depth: med(origin20, (x) => x.depth),
  requests: med(origin20, (x) => x.counts.registry + x.counts.token + x.counts.github),
};
const orep = [...origin20].sort((a, b) => a.wall - b.wall)[Math.floor(origin20.length / 2)];
const effective = r.wall / LATENCY_MS;

const c = (x) => `${x.registry}/${x.token}/${x.github}`;
log('');
log(
  `${pad('', 34)}${padl('wall', 10)}${padl('gates', 10)}${padl('execution', 11)}${padl('requests', 10)}  reg/tok/gh  ${padl('wall/20ms', 9)}${padl('chain', 7)}`,
);
log(
  `${pad('relkit (in-process promote)', 34)}${padl(fmt(r.wall), 10)}${padl(fmt(r.gates), 10)}${padl(fmt(r.exec), 11)}${padl(r.requests, 10)}  ${pad(c(rep.counts), 10)}  ${padl(effective.toFixed(1), 9)}${padl(r.depth, 7)}`,
);
log(
  `${pad('relkit at 0 ms (CPU floor)', 34)}${padl(fmt(r.wall0), 10)}${padl(fmt(r.gates0), 10)}${padl(fmt(r.exec0), 11)}${padl('', 10)}  ${pad('', 10)}  ${padl('', 9)}${padl('', 7)}`,
);
log(
  `${pad('critical-path minimum', 34)}${padl(fmt(minMs), 10)}${padl(fmt(min.gateRoundTrips * LATENCY_MS), 10)}${padl(fmt(min.execRoundTrips * LATENCY_MS), 11)}${padl('', 10)}  ${pad('', 10)}  ${padl(min.roundTrips, 9)}${padl(min.roundTrips, 7)}`,
);
log(
  `${pad('origin shell workflow', 34)}${padl(fmt(o.wall), 10)}${padl('', 10)}${padl('', 11)}${padl(o.requests, 10)}  ${pad(c(orep.counts), 10)}  ${padl((o.wall / LATENCY_MS).toFixed(1), 9)}${padl(o.depth, 7)}`,
);
log(`${pad('origin without the signature row', 34)}${padl(fmt(o.wallNoSig), 10)}`);
log('');
log(
  `relkit round trips: effective (wall/${LATENCY_MS} ms) ${effective.toFixed(1)}, observed chain ${r.depth} (gates ${r.gateDepth}, execution ${r.execDepth}); CPU floor at 0 ms ${fmt(r.wall0)}`,
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
  speedupOverOrigin: o.wall / r.wall,
  speedupOverOriginWithoutSignature: o.wallNoSig / r.wall,
};
log('');
log(
  `relkit ÷ minimum (goal ≤ 1.3×): ${ratios.effectiveVsMinimum.toFixed(2)}× by wall time (effective round trips), ${ratios.chainVsMinimum.toFixed(2)}× by observed chain`,
);
log(
  `relkit speed-up over the origin's way: ${ratios.speedupOverOrigin.toFixed(2)}× (${ratios.speedupOverOriginWithoutSignature.toFixed(2)}× if the origin's signature check is left out)`,
);
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
log('');
log('origin steps (median-wall run):');
for (const st of orep.steps) log(`  ${pad(st.job, 9)} ${pad(st.name, 46)} ${padl(fmt(st.ms), 9)}`);

writeResults('promote', {
  latencyMs: LATENCY_MS,
  runs: RUNS,
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
    })),
    runsAt0: relkit0.map((x) => ({ wall: x.wall, gates: x.gates, exec: x.exec })),
    phases: rep.phases,
    log: rep.log.map((e) => ({ ...e, shape: shape(e) })),
  },
  minimum: { ...min, ms: minMs },
  origin: {
    ...o,
    counts: orep.counts,
    steps: orep.steps,
    runs: origin20.map((x) => ({ wall: x.wall, depth: x.depth, counts: x.counts })),
    requests: orep.shapes,
  },
  ratios,
});
dc.unsubscribe('http.server.request.start', onRequestStart);
log(`bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
