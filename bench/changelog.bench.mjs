#!/usr/bin/env node
// CHANGELOG engine: finalize + notes of the origin's largest real CHANGELOG (443 KB, the 1.11.0
// release of vig-os/devkit) in-process, against a plain string-replace + line-scan lower bound
// (what the origin's regex/awk pipeline does, with none of the parsing), and ms/MB on synthetic
// files of 1, 10 and 50 MB built from that file's real sections, to show linear growth.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finalize, notes, parseChangelog, validate } from '@relkit/release-core/changelog';
import { fmt, measure, median, p90, writeResults } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function sharedDir() {
  if (process.env.RELKIT_SHARED_DIR) return process.env.RELKIT_SHARED_DIR;
  let dir = here;
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return join(dir, '..', 'shared');
}

// The largest real before-file in the shared data (a frozen `## [X.Y.Z] - TBD` CHANGELOG).
const dataDir = join(sharedDir(), 'data', 'changelogs', 'finalize');
const cases = readFileSync(join(dataDir, 'cases.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));
const [version, repository, date] = cases
  .map((c) => [...c, readFileSync(join(dataDir, `${c[0]}.before.md`)).length])
  .sort((a, b) => b[3] - a[3])[0];
const origin = readFileSync(join(dataDir, `${version}.before.md`), 'utf8');
const options = { repository, date };
const kb = (Buffer.byteLength(origin) / 1024).toFixed(0);
if (!readdirSync(dataDir).length) throw new Error('no data');

/** The lower bound: replace the heading text, then collect lines up to the next `## [`. */
function naive(text) {
  const out = text.replace(
    `## [${version}] - TBD`,
    `## [${version}](https://github.com/${repository}/releases/tag/${version}) - ${date}`,
  );
  const body = [];
  let found = false;
  for (const l of out.split('\n')) {
    if (l.startsWith(`## [${version}]`)) found = true;
    else if (found && l.startsWith('## [')) break;
    else if (found) body.push(l);
  }
  return body.join('\n').trim();
}

const runs = { runs: 200, warmup: 50 };
const ours = await measure(() => {
  const done = finalize(origin, version, options);
  notes(done, version);
}, runs);
const lower = await measure(() => naive(origin), runs);
const parse = await measure(() => parseChangelog(origin), runs);
const check = await measure(() => validate(origin, { version, today: date }), { runs: 20, warmup: 5 });

console.log(`origin CHANGELOG ${version}.before.md (${kb} KB, ${origin.split('\n').length} lines)`);
console.log(`  finalize + notes      median ${fmt(median(ours))}  p90 ${fmt(p90(ours))}  (target < 5 ms)`);
console.log(
  `  string-replace floor  median ${fmt(median(lower))}  p90 ${fmt(p90(lower))}  → ours / floor = ${(median(ours) / median(lower)).toFixed(2)}×`,
);
console.log(`  parse alone           median ${fmt(median(parse))}`);
console.log(`  validate              median ${fmt(median(check))}`);

// Synthetic large files: the real released sections of the origin file, re-numbered, repeated.
const doc = parseChangelog(origin);
const released = doc.sections.filter((s) => s.kind === 'release' && s.state === 'dated');
const bodies = released.map((s) => origin.slice(s.bodyStart, s.end));
function synthetic(bytes) {
  const parts = [
    '# Changelog\n\n## Unreleased\n\n### Added\n\n### Changed\n\n### Deprecated\n\n### Removed\n\n### Fixed\n\n### Security\n\n',
    `## [1000000.0.0] - TBD\n${bodies[0]}`,
  ];
  let size = parts.join('').length;
  for (let n = 999999, i = 1; size < bytes; n--, i++) {
    const part = `## [${n}.0.0](https://github.com/${repository}/releases/tag/${n}.0.0) - 2026-01-01\n${bodies[i % bodies.length]}`;
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

// Median and minimum per size: on a busy machine GC pauses inflate medians of 50 MB runs; the
// minimum is the cleanest sign of how the work itself grows.
const scaling = [];
for (const mb of [1, 10, 50]) {
  let text = synthetic(mb * 1024 * 1024);
  const realMb = Buffer.byteLength(text) / (1024 * 1024);
  const big = mb >= 10;
  const t = await measure(
    () => {
      const done = finalize(text, '1000000.0.0', options);
      notes(done, '1000000.0.0');
    },
    { runs: big ? 9 : 30, warmup: 3 },
  );
  const f = await measure(() => naive(text), { runs: big ? 9 : 30, warmup: 3 });
  text = undefined;
  const row = {
    mb: Number(realMb.toFixed(2)),
    medianMs: median(t),
    minMs: t[0],
    msPerMb: median(t) / realMb,
    minMsPerMb: t[0] / realMb,
    floorMsPerMb: median(f) / realMb,
    floorMinMsPerMb: f[0] / realMb,
  };
  scaling.push(row);
  console.log(
    `synthetic ${realMb.toFixed(1)} MB: finalize + notes median ${fmt(row.medianMs)} = ${row.msPerMb.toFixed(2)} ms/MB` +
      ` (min ${row.minMsPerMb.toFixed(2)} ms/MB); floor ${row.floorMsPerMb.toFixed(2)} ms/MB (min ${row.floorMinMsPerMb.toFixed(2)})`,
  );
}
const growth = scaling[2].minMsPerMb / scaling[0].minMsPerMb;
const growth10 = scaling[2].minMsPerMb / scaling[1].minMsPerMb;
const relative = scaling.map((r) => r.minMsPerMb / r.floorMinMsPerMb);
console.log(
  `min ms/MB, 50 MB vs 1 MB: ${growth.toFixed(2)}×; 50 MB vs 10 MB: ${growth10.toFixed(2)}× (1.0 = linear);` +
    ` ours / floor at 1, 10, 50 MB: ${relative.map((x) => `${x.toFixed(2)}×`).join(', ')}` +
    ' (the floor shows what the machine itself does with bigger strings: cache, GC)',
);

writeResults('changelog', {
  origin: {
    file: `${version}.before.md`,
    bytes: Buffer.byteLength(origin),
    finalizeAndNotes: { medianMs: median(ours), p90Ms: p90(ours), targetMs: 5 },
    stringReplaceFloor: { medianMs: median(lower), p90Ms: p90(lower) },
    ratioToFloor: median(ours) / median(lower),
    parseMedianMs: median(parse),
    validateMedianMs: median(check),
  },
  scaling,
  linearity: { from1MbTo50Mb: growth, from10MbTo50Mb: growth10, ratioToFloor: relative },
});
