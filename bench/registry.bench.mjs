// bench/registry.bench.mjs — @relkit/registry against the real local registry, in one run:
//  1. in-process retag vs a raw fetch GET+PUT of the same manifest (the lower bound);
//  2. whole-process `release-cli image tag` vs `skopeo copy --all --preserve-digests` (and
//     `crane tag` when a crane binary is on PATH or in RELKIT_CRANE_BIN);
//  3. 50 tags over 10 repositories with one client: requests per tag, counted by the fault
//     proxy's log (registry requests) and the token service (token requests).
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryClient, staticCredentials } from '@relkit/registry';
import {
  pushTestImage,
  skopeoDigest,
  startFaultProxy,
  startRegistry,
  SKOPEO_BIN,
  MediaTypes,
} from '@relkit/testkit';
import { fmt, measure, median, p90, writeResults } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'packages', 'cli', 'bin', 'release-cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const PROCESS_RUNS = Number(process.env.BENCH_PROCESS_RUNS ?? 20);
const ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerList,
  MediaTypes.dockerManifest,
].join(', ');

const run = (cmd, args) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, (e, stdout, stderr) =>
      e ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || e.message}`)) : resolve(stdout),
    ),
  );
const row = (name, t, extra = '') =>
  console.log(
    `${name.padEnd(62)} median ${fmt(median(t)).padStart(9)}  p90 ${fmt(p90(t)).padStart(9)}${extra}`,
  );

function findCrane() {
  const candidates = [process.env.RELKIT_CRANE_BIN, '/usr/bin/crane', '/usr/local/bin/crane'].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return { bin: c };
  return {
    bin: undefined,
    why: 'no crane binary: `apt-cache policy crane` has no candidate on Debian 12 (crane is packaged only in Debian sid); set RELKIT_CRANE_BIN to a crane binary to include it',
  };
}

const results = { machine: { cpus: cpus().length, loadavgAtStart: loadavg() } };
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (timings are only comparable within this run)`,
);
const registry = await startRegistry({ auth: 'none' });
const token = await startRegistry({ auth: 'token' });
try {
  // ---------------------------------------------------------------------------------- 1
  console.log(`\n1. in-process retag vs raw fetch GET+PUT (${RUNS} runs each, keep-alive, auth none)`);
  const a = await pushTestImage(registry, { repository: 'bench/app', tag: '1.2.3', seed: 'a' });
  const b = await pushTestImage(registry, { repository: 'bench/app', tag: '1.2.4', seed: 'b' });
  const base = registry.url;
  const raw = await measure(
    async () => {
      const g = await fetch(`${base}/v2/bench/app/manifests/1.2.3`, { headers: { accept: ACCEPT } });
      const body = new Uint8Array(await g.arrayBuffer());
      const p = await fetch(`${base}/v2/bench/app/manifests/latest`, {
        method: 'PUT',
        headers: { 'content-type': g.headers.get('content-type') },
        body,
      });
      await p.arrayBuffer();
      if (p.status !== 201) throw new Error(`raw PUT ${p.status}`);
    },
    { runs: RUNS, warmup: 20 },
  );
  row('raw fetch GET + PUT (lower bound)', raw);
  const c1 = new RegistryClient();
  const same = await measure(
    () => c1.retag(`${registry.host}/bench/app:1.2.3`, 'latest', { skipIfCurrent: false, readBack: false }),
    {
      runs: RUNS,
      warmup: 20,
    },
  );
  row('relkit retag, same work: GET + verify + PUT + verify', same);
  const c2 = new RegistryClient();
  const flip = [a.digest, b.digest];
  const full = await measure(
    (i) => c2.retag(`${registry.host}/bench/app:${i % 2 ? '1.2.4' : '1.2.3'}`, 'latest'),
    { runs: RUNS, warmup: 20 },
  );
  row('relkit retag, defaults, tag moves: HEAD‖GET, PUT, HEAD read back', full);
  const c3 = new RegistryClient();
  await c3.retag(`${registry.host}/bench/app@${flip[0]}`, 'latest');
  const noop = await measure(() => c3.retag(`${registry.host}/bench/app@${flip[0]}`, 'latest'), {
    runs: RUNS,
    warmup: 20,
  });
  row('relkit retag, defaults, already current (by digest): HEAD only', noop);
  const r1 = median(same) / median(raw);
  const r1full = median(full) / median(raw);
  console.log(
    `   ratio same work / raw = ${r1.toFixed(2)}× (target ≤ 1.25×) ${r1 <= 1.25 ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `   ratio defaults (4 requests, 3 round trips) / raw = ${r1full.toFixed(2)}×; no-op / raw = ${(median(noop) / median(raw)).toFixed(2)}×`,
  );
  results.inProcess = {
    rawMs: median(raw),
    sameWorkMs: median(same),
    defaultsMs: median(full),
    noopMs: median(noop),
    ratioSameWork: r1,
    ratioDefaults: r1full,
  };

  // ---------------------------------------------------------------------------------- 2
  console.log(
    `\n2. whole process, one retag per process (${PROCESS_RUNS} runs each; the tag moves every run)`,
  );
  const host = registry.host;
  const src = (i) => `${host}/bench/app:${i % 2 ? '1.2.4' : '1.2.3'}`;
  const P = { runs: PROCESS_RUNS, warmup: 2 };
  const whole = {};
  const skopeoRuns = await measure(
    (i) =>
      run(SKOPEO_BIN, [
        'copy',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${src(i)}`,
        `docker://${host}/bench/app:latest`,
      ]),
    P,
  );
  row('skopeo copy --all --preserve-digests', skopeoRuns);
  whole.skopeoMs = median(skopeoRuns);
  const crane = findCrane();
  if (crane.bin) {
    const craneRuns = await measure((i) => run(crane.bin, ['tag', '--insecure', src(i), 'latest']), P);
    row('crane tag', craneRuns);
    whole.craneMs = median(craneRuns);
  } else {
    console.log(`   crane tag: skipped (${crane.why})`);
    whole.craneSkipped = crane.why;
  }
  const nodeFloor = await measure(() => run(process.execPath, ['-e', '0']), P);
  row('(node -e 0: the runtime start-up floor)', nodeFloor);
  whole.nodeStartMs = median(nodeFloor);
  const fetchFloor = await measure(
    () =>
      run(process.execPath, [
        '--input-type=module',
        '-e',
        `await (await fetch('${registry.url}/v2/')).arrayBuffer()`,
      ]),
    P,
  );
  row('(node + one fetch: the floor of any fetch-based process)', fetchFloor);
  whole.nodeOneFetchMs = median(fetchFloor);
  // What `image tag` costs when a process loads nothing but @relkit/registry.
  const script = (s) =>
    `const { RegistryClient } = await import('@relkit/registry'); await new RegistryClient().retag('${s}', 'latest');`;
  const libRuns = await measure(
    (i) => run(process.execPath, ['--input-type=module', '-e', script(src(i))]),
    P,
  );
  row('node + @relkit/registry retag (defaults; no CLI around it)', libRuns);
  whole.registryOnlyMs = median(libRuns);
  try {
    const cliVersion = await measure(() => run(process.execPath, [CLI, '--version']), P);
    row('(release-cli --version: CLI start-up, no network)', cliVersion);
    whole.cliStartMs = median(cliVersion);
    const cliRuns = await measure((i) => run(process.execPath, [CLI, 'image', 'tag', src(i), 'latest']), P);
    row('release-cli image tag', cliRuns);
    whole.cliMs = median(cliRuns);
  } catch (e) {
    // A broken CLI build must not cost the other measurements.
    console.log(`   release-cli could not run: ${e.message.split('\n').slice(0, 2).join(' | ')}`);
    whole.cliError = e.message.split('\n')[0];
  }
  const last = `bench/app:${(PROCESS_RUNS - 1) % 2 ? '1.2.4' : '1.2.3'}`;
  if ((await skopeoDigest(registry, 'bench/app:latest')) !== (await skopeoDigest(registry, last)))
    throw new Error('latest does not have the digest of the last source');
  const ratio = (x, y) => (x !== undefined && y !== undefined ? x / y : null);
  whole.ratioCliSkopeo = ratio(whole.cliMs, whole.skopeoMs);
  whole.ratioRegistryOnlySkopeo = ratio(whole.registryOnlyMs, whole.skopeoMs);
  whole.ratioCliCrane = ratio(whole.cliMs, whole.craneMs);
  if (whole.ratioCliSkopeo !== null)
    console.log(
      `   ratio release-cli / skopeo = ${whole.ratioCliSkopeo.toFixed(2)}× (target < 1×) ${whole.ratioCliSkopeo < 1 ? 'OK' : 'MISSED'}`,
    );
  console.log(`   ratio registry-only process / skopeo = ${whole.ratioRegistryOnlySkopeo.toFixed(2)}×`);
  if (whole.ratioCliCrane !== null)
    console.log(
      `   ratio release-cli / crane = ${whole.ratioCliCrane.toFixed(2)}× (target ≤ 2×) ${whole.ratioCliCrane <= 2 ? 'OK' : 'MISSED'}`,
    );
  results.wholeProcess = whole;

  // ---------------------------------------------------------------------------------- 3
  console.log('\n3. 50 tags over 10 repositories, one client, token auth, through the fault proxy');
  const proxy = await startFaultProxy(token.url);
  try {
    const repos = Array.from({ length: 10 }, (_, i) => `bench/svc-${i}`);
    const tags = ['latest', '1', '1.2', 'stable', 'prod'];
    const images = [];
    for (const repo of repos) {
      await pushTestImage(token, { repository: repo, tag: '1.0.0', seed: `${repo}-old` });
      images.push(await pushTestImage(token, { repository: repo, tag: '1.2.3', seed: repo }));
    }
    const setup = new RegistryClient({
      credentials: staticCredentials(token.host, { kind: 'basic', ...token.credentials }),
    });
    const creds = staticCredentials(proxy.host, { kind: 'basic', ...token.credentials });
    const scenario = async (name, label, options) => {
      // The tags exist and point at the previous version, as `latest` does before a promote.
      for (const repo of repos)
        for (const t of tags)
          await setup.retag(`${token.host}/${repo}:1.0.0`, `${t}-${label}`, { readBack: false });
      proxy.resetLog();
      const tokens0 = token.tokenIssuer.requests();
      const client = new RegistryClient({ credentials: creds });
      const t0 = performance.now();
      for (const [i, repo] of repos.entries()) {
        // Promote pins the source by digest (from its observations), so the manifest is content-addressed.
        for (const t of tags)
          await client.retag(`${proxy.host}/${repo}@${images[i].digest}`, `${t}-${label}`, options);
      }
      const ms = performance.now() - t0;
      const registryRequests = proxy.log.length;
      const tokenRequests = token.tokenIssuer.requests() - tokens0;
      const per = registryRequests / 50;
      const byKind = {};
      for (const l of proxy.log)
        byKind[`${l.method} ${l.status}`] = (byKind[`${l.method} ${l.status}`] ?? 0) + 1;
      console.log(
        `   ${name.padEnd(52)} ${per.toFixed(2)} registry requests/tag (+${(tokenRequests / 50).toFixed(2)} token requests/tag), ${fmt(ms / 50)}/tag  ${JSON.stringify(byKind)}`,
      );
      for (const [i, repo] of repos.entries())
        for (const t of tags)
          if ((await setup.resolveDigest(`${token.host}/${repo}:${t}-${label}`)) !== images[i].digest)
            throw new Error('wrong digest');
      return {
        registryRequestsPerTag: per,
        tokenRequestsPerTag: tokenRequests / 50,
        msPerTag: ms / 50,
        byKind,
      };
    };
    const lean = await scenario('lean (skipIfCurrent:false, readBack:false)', 'lean', {
      skipIfCurrent: false,
      readBack: false,
    });
    const skipOnly = await scenario('HEAD-skip, no read-back', 'skip', { readBack: false });
    const defaults = await scenario('defaults (HEAD-skip + read back)', 'defaults', {});
    console.log(
      `   lean: ${lean.registryRequestsPerTag.toFixed(2)} requests/tag (target ≤ 2) ${lean.registryRequestsPerTag <= 2 ? 'OK' : 'MISSED'}`,
    );
    results.fiftyTags = { lean, skipOnly, defaults };
  } finally {
    await proxy.stop();
  }
} finally {
  await registry.stop();
  await token.stop();
}
writeResults('registry', results);
