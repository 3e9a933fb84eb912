#!/usr/bin/env node
// `npm run demo`: relkit's main job on an embedded default. It starts real local services on
// 127.0.0.1 — the Debian docker-registry with token auth, a GitHub API simulator and mock Sigstore
// (Fulcio, Rekor, TSA) — publishes a signed two-platform release 1.2.3 the way CI would (latest
// still on 1.2.2), then runs the real release-cli against them: status, promote, status.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skopeoDigest, startReleaseWorld } from '@relkit/testkit';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'packages', 'cli', 'bin', 'release-cli.js');
// Bold headings only on a terminal and without NO_COLOR, like release-cli itself.
const color = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const say = (text) => process.stdout.write(color ? `\n\x1b[1m${text}\x1b[0m\n` : `\n${text}\n`);
const short = (d) => `${d.slice(0, 19)}…`;

say('Starting a local release world (registry with token auth, GitHub simulator, mock Sigstore)…');
const world = await startReleaseWorld();
let failed;
// Asynchronous on purpose: the GitHub simulator and the Sigstore mocks live in this process.
const run = (args) =>
  new Promise((resolve, reject) => {
    process.stdout.write(`\n$ release-cli ${args.join(' ')}\n`);
    const child = spawn(process.execPath, [cli, ...args, '--config', world.configPath], {
      stdio: 'inherit',
      cwd: world.workspace,
      env: { ...process.env, ...world.env },
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
try {
  console.log(`  registry   ${world.registry.url} (auth: ${world.registry.auth})`);
  console.log(
    `  GitHub     ${world.github.url} (simulated ${world.repository}, smoke repo ${world.smokeRepository})`,
  );
  console.log(`  image      ${world.image}`);
  console.log(
    `  ${world.version}      ${short(world.images.version.digest)} (linux/amd64 + linux/arm64, signed, SLSA provenance)`,
  );
  console.log(`  latest     ${short(world.images.previous.digest)} (= ${world.previous})`);

  say(`1. Where does ${world.version} stand? Publish is done; latest is untouched.`);
  await run(['status', world.version]);

  say(
    `2. Promote ${world.version}: every gate first, then latest → the exact ${world.version} digest, publish, merge.`,
  );
  const code = await run(['promote', world.version, '--yes']);
  failed = code !== 0;

  say('3. And now?');
  await run(['status', world.version]);

  const latest = await skopeoDigest(world.registry, `${world.imageRepository}:latest`);
  const release = world.github.releases(world.repository).find((r) => r.tag === world.version);
  const pr = world.github.pull(world.repository, world.pullRequest);
  say('What you saw');
  console.log(
    `  skopeo (an independent client) reads latest = ${short(latest)}: ${latest === world.images.version.digest ? `the exact ${world.version} index digest ✓` : 'NOT the version digest ✗'}`,
  );
  console.log(
    `  GitHub release ${world.version}: ${release?.draft ? 'still a draft ✗' : 'published ✓'}; PR #${pr.number}: ${pr.merged ? 'merged ✓' : 'not merged ✗'}`,
  );
  console.log('  Every write was read back; a second `release-cli promote` would find nothing left to do.');
  console.log(
    `  The GitHub simulator checked ${world.github.requests.length} API calls against GitHub's OpenAPI description: ${world.github.violations.length} violation(s).`,
  );
  if (
    latest !== world.images.version.digest ||
    release?.draft ||
    !pr.merged ||
    world.github.violations.length
  )
    failed = true;
} finally {
  await world.stop();
}
process.exit(failed ? 1 : 0);
