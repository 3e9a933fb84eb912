// The redactor leaves prose alone: every section of every real CHANGELOG in the shared data
// directory comes out of `release-cli changelog notes` byte for byte (as text and in --json),
// with secrets in the environment so the redactor is active. Files are found by walking the
// data directory, so a new CHANGELOG there is checked without a code change.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseChangelog, releaseNotes } from '@relkit/release-core/changelog';
import type { CliContext } from '../command.js';
import { main } from '../main.js';

function changelogDir(): string {
  const override = process.env.RELKIT_SHARED_DIR;
  if (override) return join(resolve(override), 'data', 'changelogs');
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return join(dir, '..', 'shared', 'data', 'changelogs');
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** Every (file, section) whose notes core can produce. */
function cases(): { file: string; label: string; expected: string }[] {
  return markdownFiles(changelogDir()).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    let sections;
    try {
      sections = parseChangelog(text).sections;
    } catch {
      return [];
    }
    return sections.flatMap((s) => {
      const label = s.version ?? (s.kind === 'unreleased' ? 'Unreleased' : undefined);
      if (label === undefined) return [];
      try {
        return [{ file, label, expected: releaseNotes(text, label).body }];
      } catch {
        return [];
      }
    });
  });
}

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // secrets and credential-like values in the environment: the redactor is fully armed
    env: {
      GITHUB_TOKEN: `ghp_${'x1'.repeat(18)}`,
      RELKIT_REGISTRY_USERNAME: 'robot',
      RELKIT_REGISTRY_PASSWORD: 'registry-password-1',
    },
    cwd: process.cwd(),
    isTTY: false,
  };
  const code = await main(argv, ctx);
  return { code, stdout, stderr };
}

describe('changelog notes: the real CHANGELOGs come out byte for byte', () => {
  const all = cases();
  it('finds sections to check in the data directory', () => {
    expect(all.length).toBeGreaterThan(20);
  });
  it.each(all.map((c) => [`${c.file.split('/changelogs/')[1]} ${c.label}`, c] as const))(
    '%s',
    async (_name, c) => {
      const text = await run(['changelog', 'notes', c.label, '--file', c.file]);
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      const body = c.expected.endsWith('\n') || c.expected === '' ? c.expected : `${c.expected}\n`;
      expect(text.stdout).toBe(body);
      const json = await run(['changelog', 'notes', c.label, '--file', c.file, '--json']);
      expect((JSON.parse(json.stdout) as { body: string }).body).toBe(c.expected);
    },
  );
});
