import {
  chmod,
  lstat,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseError } from '../errors.js';
import {
  finalizeFile,
  freezeFile,
  notesFromFile,
  unfreezeFile,
  validateFile,
  writeFileAtomic,
} from './fs.js';

const TEXT =
  '# Changelog\r\n\r\n## Unreleased\r\n\r\n### Added\r\n\r\n- thing\r\n\r\n## [1.0.0](https://github.com/o/r/releases/tag/1.0.0) - 2026-01-01\r\n\r\n- first\r\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relkit-changelog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the file layer', () => {
  it('freezes and finalizes in place, keeping the mode, and leaves no temp file', async () => {
    const file = join(dir, 'CHANGELOG.md');
    await writeFile(file, TEXT);
    await chmod(file, 0o640);
    const frozen = await freezeFile(file, '1.1.0');
    expect(frozen.changed).toBe(true);
    const done = await finalizeFile(file, '1.1.0', { date: '2026-02-02' });
    expect(done.changed).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('\r\n## [1.1.0](https://github.com/o/r/releases/tag/1.1.0) - 2026-02-02\r\n');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['CHANGELOG.md']);
  });

  it('does not write when nothing changes', async () => {
    const file = join(dir, 'CHANGELOG.md');
    await writeFile(file, TEXT);
    const before = await stat(file);
    await new Promise((r) => setTimeout(r, 20));
    const r = await unfreezeFile(file, '9.9.9');
    expect(r.changed).toBe(false);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect((await stat(file)).ino).toBe(before.ino);
  });

  it('writes through a symlink, which stays a symlink', async () => {
    const real = join(dir, 'real.md');
    const link = join(dir, 'CHANGELOG.md');
    await writeFile(real, TEXT);
    await symlink('real.md', link);
    await freezeFile(link, '1.1.0');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real.md');
    expect(await readFile(real, 'utf8')).toContain('## [1.1.0] - TBD');
  });

  it('names the file, line and column in errors', async () => {
    const file = join(dir, 'CHANGELOG.md');
    await writeFile(file, TEXT);
    const e = await finalizeFile(file, '1.1.0', { repository: 'o/r', date: '2026-02-02' }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ReleaseError);
    expect((e as ReleaseError).code).toBe('CHANGELOG_STATE');
    expect((e as ReleaseError).message).toBe(
      `${file}:3:1: no section for 1.1.0: expected "## [1.1.0] - TBD" (freeze 1.1.0 first)`,
    );
    expect((e as ReleaseError).details).toMatchObject({ file, line: 3, column: 1 });
  });

  it('reports a missing file clearly', async () => {
    const e = await notesFromFile(join(dir, 'nope.md'), '1.0.0').catch((x: unknown) => x);
    expect((e as ReleaseError).message).toMatch(
      /nope\.md: no such file; pass the CHANGELOG with --file PATH/,
    );
  });

  it('reads notes and validates from a file', async () => {
    const file = join(dir, 'CHANGELOG.md');
    await writeFile(file, TEXT);
    expect((await notesFromFile(file, '1.0.0')).body).toBe('- first');
    expect((await validateFile(file, { version: '1.0.0', today: '2026-02-02' })).ok).toBe(true);
  });

  it('refuses a CHANGELOG that is not UTF-8 without touching it (a Latin-1 byte would become U+FFFD)', async () => {
    const file = join(dir, 'CHANGELOG.md');
    const bytes = Buffer.concat([
      Buffer.from('# Changelog\n\nCaf'),
      Buffer.from([0xe9]),
      Buffer.from(' (saved as Latin-1)\n\n## Unreleased\n\n- x\n'),
    ]);
    await writeFile(file, bytes);
    for (const run of [
      () => freezeFile(file, '1.2.0'),
      () => finalizeFile(file, '1.2.0', { date: '2026-03-04', repository: 'o/r' }),
      () => notesFromFile(file, '1.2.0'),
    ]) {
      const e = await run().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ReleaseError);
      expect((e as ReleaseError).code).toBe('CHANGELOG_PARSE');
      expect((e as ReleaseError).message).toBe(
        `${file}:3:4: the file is not valid UTF-8 (binary, or saved as Latin-1 or UTF-16?); save it as UTF-8 text`,
      );
    }
    expect(Buffer.compare(await readFile(file), bytes)).toBe(0);
    expect(await readdir(dir)).toEqual(['CHANGELOG.md']);
  });

  it('keeps a BOM, CRLF and a missing final newline byte for byte outside the edited lines', async () => {
    const file = join(dir, 'CHANGELOG.md');
    const text = `\uFEFF${TEXT.replace(/\r\n$/, '')}`;
    await writeFile(file, text);
    const frozen = await freezeFile(file, '1.1.0', { unreleasedSkeleton: 'empty' });
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe(frozen.text);
    expect(frozen.text).toBe(
      text.replace('## Unreleased\r\n\r\n', '## Unreleased\r\n\r\n## [1.1.0] - TBD\r\n\r\n'),
    );
  });

  it('writeFileAtomic creates a new file with a default mode', async () => {
    const file = join(dir, 'new.md');
    await writeFileAtomic(file, 'x\n');
    expect(await readFile(file, 'utf8')).toBe('x\n');
  });
});
