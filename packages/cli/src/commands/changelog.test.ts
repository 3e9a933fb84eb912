import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { changelogCommands } from './changelog.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'release-cli.js');

const TEXT = `# Changelog

## Unreleased

### Added

- **New thing** ([#12](https://github.com/o/r/issues/12))

### Changed

### Deprecated

### Removed

### Fixed

### Security

## [1.1.0](https://github.com/o/r/releases/tag/1.1.0) - 2026-01-02

### Fixed

- Older fix
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relkit-cli-changelog-'));
  await writeFile(join(dir, 'CHANGELOG.md'), TEXT);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: dir,
    isTTY: false,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

async function run(argv: string[], env: Record<string, string> = {}) {
  const c = capture(env);
  const code = await main(argv, c.ctx, changelogCommands);
  return { code, out: c.out(), err: c.err() };
}

const file = () => readFile(join(dir, 'CHANGELOG.md'), 'utf8');

describe('release-cli changelog', () => {
  it('freezes, finalizes, prints notes and validates a release', async () => {
    expect(await run(['changelog', 'freeze', '1.2.0'])).toMatchObject({
      code: 0,
      out: 'frozen 1.2.0 in CHANGELOG.md: line 17: ## [1.2.0] - TBD\n',
    });
    expect((await run(['changelog', 'validate', '1.2.0'])).code).toBe(ExitCode.failed);
    expect((await run(['changelog', 'validate', '1.2.0', '--expect', 'frozen'])).code).toBe(0);
    expect(await run(['changelog', 'finalize', '1.2.0', '--date', '2026-03-04'])).toMatchObject({
      code: 0,
      out: 'finalized 1.2.0 in CHANGELOG.md: line 17: ## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-03-04\n',
    });
    expect(await file()).toContain(
      '\n## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-03-04\n\n### Added\n',
    );
    expect(await run(['changelog', 'notes', '1.2.0'])).toEqual({
      code: 0,
      out: '### Added\n\n- **New thing** ([#12](https://github.com/o/r/issues/12))\n',
      err: '',
    });
    const v = await run(['changelog', 'validate', '1.2.0']);
    expect(v).toMatchObject({ code: 0, out: 'ok: 2 releases, 0 errors, 0 warnings\n' });
  });

  it('is idempotent: a second freeze or finalize changes nothing and says so', async () => {
    await run(['changelog', 'freeze', '1.2.0']);
    const frozen = await file();
    const again = await run(['changelog', 'freeze', '1.2.0', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ version: '1.2.0', changed: false, line: 17 });
    expect(await file()).toBe(frozen);
    await run(['changelog', 'finalize', '1.2.0', '--date', '2026-03-04']);
    const done = await file();
    const re = await run(['changelog', 'finalize', '1.2.0']);
    expect(re.out).toMatch(/^CHANGELOG\.md: 1\.2\.0 is already finalized; nothing to change/);
    expect(await file()).toBe(done);
  });

  it('finalize without --date uses today (UTC) and $GITHUB_REPOSITORY; keeps the file mode', async () => {
    await chmod(join(dir, 'CHANGELOG.md'), 0o600);
    await run(['changelog', 'freeze', '1.2.0']);
    const before = new Date().toISOString().slice(0, 10);
    const r = await run(['changelog', 'finalize', '1.2.0', '--json'], { GITHUB_REPOSITORY: 'acme/app' });
    const after = new Date().toISOString().slice(0, 10);
    expect(r.code).toBe(0);
    const heading = JSON.parse(r.out).heading as string;
    expect(
      [before, after].map((d) => `## [1.2.0](https://github.com/acme/app/releases/tag/1.2.0) - ${d}`),
    ).toContain(heading);
    expect((await stat(join(dir, 'CHANGELOG.md'))).mode & 0o777).toBe(0o600);
    // A re-run in another repository's CI (a renamed repo) is a no-op; an explicit --repository is checked.
    expect((await run(['changelog', 'finalize', '1.2.0'], { GITHUB_REPOSITORY: 'acme/renamed' })).code).toBe(
      0,
    );
    const wrong = await run(['changelog', 'finalize', '1.2.0', '--repository', 'acme/renamed']);
    expect(wrong.code).toBe(ExitCode.failed);
    expect(wrong.err).toMatch(
      /CHANGELOG\.md:17:12: 1\.2\.0 is already finalized with link https:\/\/github\.com\/acme\/app\//,
    );
  });

  it('unfreeze (and its alias reset) undoes a freeze', async () => {
    await run(['changelog', 'freeze', '1.2.0']);
    expect((await run(['changelog', 'unfreeze', '1.2.0'])).out).toBe(
      'unfrozen 1.2.0 in CHANGELOG.md: its entries are back under Unreleased\n',
    );
    expect(await file()).toBe(TEXT);
    expect((await run(['changelog', 'reset', '1.2.0'])).out).toBe(
      'CHANGELOG.md: 1.2.0 is not frozen; nothing to change\n',
    );
  });

  it('exits 1 with file:line:column on a state error, and on validation errors', async () => {
    const r = await run(['changelog', 'finalize', '1.2.0', '--repository', 'o/r']);
    expect(r.code).toBe(ExitCode.failed);
    expect(r.err).toContain(
      `${join(dir, 'CHANGELOG.md')}:3:1: no section for 1.2.0: expected "## [1.2.0] - TBD" (freeze 1.2.0 first) [CHANGELOG_STATE]`,
    );
    await writeFile(
      join(dir, 'BAD.md'),
      '## Unreleased\n\n## [1.0.0] - 2026-01-01\n\n- a\n\n## [1.0.0] - 2025-01-01\n\n- b\n',
    );
    const v = await run(['changelog', 'validate', '--file', 'BAD.md', '--json']);
    expect(v.code).toBe(ExitCode.failed);
    expect(JSON.parse(v.out)).toMatchObject({
      file: 'BAD.md',
      ok: false,
      issues: [{ severity: 'error', code: 'duplicate-version', line: 7, column: 1 }],
    });
  });

  it('exits 2 on usage errors: bad version, date, repository, option values, missing argument', async () => {
    for (const argv of [
      ['changelog', 'freeze'],
      ['changelog', 'freeze', '1.2'],
      ['changelog', 'finalize', '1.2.0', '--date', '04/03/2026'],
      ['changelog', 'finalize', '1.2.0', '--date', '2026-02-30'],
      ['changelog', 'finalize', '1.2.0', '--repository', 'not a repo'],
      ['changelog', 'notes', '1.1.0', '--max-length', 'lots'],
      ['changelog', 'validate', '--expect', 'frozen'],
      ['changelog', 'validate', '1.1.0', '--expect', 'gone'],
      ['changelog', 'validate', '1.1.0', '1.2.0'],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(ExitCode.usage);
      expect(r.err).toMatch(/Usage: release-cli changelog/);
    }
  });

  it('prints notes as JSON with the truncation facts', async () => {
    const r = await run(['changelog', 'notes', '1.1.0', '--json', '--max-length', '5']);
    expect(JSON.parse(r.out)).toMatchObject({ version: '1.1.0', line: 19, truncated: true, fullLength: 22 });
  });

  it('runs as the built bin in a subprocess', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'changelog', 'freeze', 'v1.2.0', '--file', join(dir, 'CHANGELOG.md')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^frozen v1\.2\.0 in .*CHANGELOG\.md: line 17: ## \[1\.2\.0\] - TBD\n$/);
    const v = spawnSync(
      process.execPath,
      [BIN, 'changelog', 'validate', '1.2.0', '-f', join(dir, 'CHANGELOG.md')],
      {
        encoding: 'utf8',
      },
    );
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/CHANGELOG\.md:17:14: error: 1\.2\.0 is not finalized/);
  });
});
