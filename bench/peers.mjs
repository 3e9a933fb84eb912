// Peer tools the benchmarks compare against, found or fetched for the benchmark only (never
// for tests, never committed).
//
// crane: RELKIT_CRANE_BIN, else `crane` on PATH, else bench/.cache/crane (fetched once). Debian
// 12 has no crane package; Debian sid has one (go-containerregistry), so it is fetched with apt
// itself from a private sid source list: apt checks the archive's signatures with the machine's
// debian-archive-keyring, and nothing is installed (`apt-get download` + `dpkg-deb -x`).
// BENCH_FETCH_CRANE=0 turns the download off.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cache = join(here, '.cache', 'crane');
const cachedBin = join(cache, 'root', 'usr', 'bin', 'crane');

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** { bin, how } when a crane binary is at hand, else { why } saying what was tried. */
export function findCrane() {
  if (process.env.RELKIT_CRANE_BIN) {
    return existsSync(process.env.RELKIT_CRANE_BIN)
      ? { bin: process.env.RELKIT_CRANE_BIN, how: 'RELKIT_CRANE_BIN' }
      : { why: `RELKIT_CRANE_BIN=${process.env.RELKIT_CRANE_BIN} does not exist` };
  }
  const path = onPath('crane');
  if (path) return { bin: path, how: 'PATH' };
  if (existsSync(cachedBin)) return { bin: cachedBin, how: 'bench/.cache (Debian sid package)' };
  if (process.env.BENCH_FETCH_CRANE === '0') return { why: 'no crane on PATH and BENCH_FETCH_CRANE=0' };
  try {
    fetchCraneFromDebian();
    return { bin: cachedBin, how: 'fetched now from Debian sid (apt-get download, signature-checked)' };
  } catch (e) {
    return {
      why: `no crane on PATH, and fetching Debian sid's crane package failed (${e.message.split('\n')[0]}); set RELKIT_CRANE_BIN to a crane binary`,
    };
  }
}

function fetchCraneFromDebian() {
  rmSync(cache, { recursive: true, force: true });
  for (const d of ['lists/partial', 'apt-cache/archives/partial', 'debs', 'root'])
    mkdirSync(join(cache, d), { recursive: true });
  const sources = join(cache, 'sid.list');
  writeFileSync(
    sources,
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main\n',
  );
  const apt = [
    '-q',
    '-o',
    `Dir::Etc::SourceList=${sources}`,
    '-o',
    'Dir::Etc::SourceParts=/dev/null',
    '-o',
    `Dir::State::Lists=${join(cache, 'lists')}`,
    '-o',
    `Dir::Cache=${join(cache, 'apt-cache')}`,
    '-o',
    'APT::Sandbox::User=root',
  ];
  const run = (cmd, args, cwd) =>
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  console.log('   fetching crane from Debian sid for the benchmark (once; cached in bench/.cache)…');
  run('apt-get', [...apt, 'update']);
  run('apt-get', [...apt, 'download', 'crane'], join(cache, 'debs'));
  const deb = readdirSync(join(cache, 'debs')).find((f) => f.startsWith('crane_') && f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download left no crane_*.deb');
  run('dpkg-deb', ['-x', join(cache, 'debs', deb), join(cache, 'root')]);
  if (!existsSync(cachedBin)) throw new Error(`${deb} has no usr/bin/crane`);
  rmSync(join(cache, 'lists'), { recursive: true, force: true });
  rmSync(join(cache, 'apt-cache'), { recursive: true, force: true });
}
