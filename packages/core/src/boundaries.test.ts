// The package boundaries are lint rules (eslint.config.js at the repository root); this proves
// they bite, through ESLint's Node API with the repository's own config: a core module that
// imports node:http or node:fs, core importing another relkit package, an adapter importing a
// front end, and two modules that import each other.
//
// The import rules judge a path and its text, so those modules are linted in memory at a path in
// the package. A cycle needs real files (the rule reads the imported module from disk): they go
// into a throwaway src/boundaries-tmp-* folder, which eslint.config.js ignores and tsconfig.json
// excludes, so a lint or typecheck running alongside this test never sees them.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const dirs: string[] = [];

// The repository's config as it is; only the type-aware parsing is off, as these modules belong
// to no tsconfig (the boundary rules need no types). `ignore: false` lints the throwaway folder.
const eslint = new ESLint({
  cwd: root,
  ignore: false,
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
    },
  },
});

async function lintAt(path: string, lines: string[]): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(`${lines.join('\n')}\n`, { filePath: join(root, path) });
  return result?.messages ?? [];
}
const rules = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId ?? m.message);
const RESTRICTED = '@typescript-eslint/no-restricted-imports';

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const dir of dirs) expect(existsSync(dir)).toBe(false);
});

describe('lint guards the package boundaries', { timeout: 120_000 }, () => {
  it('core imports no network or process module', async () => {
    const messages = await lintAt('packages/core/src/promote/net.ts', [
      "import { request } from 'node:http';",
      "import { connect } from 'tls';",
      "import { spawn } from 'child_process';",
      "import { fetch } from 'undici';",
      'export const io = [request, connect, spawn, fetch];',
    ]);
    expect(rules(messages)).toEqual([RESTRICTED, RESTRICTED, RESTRICTED, RESTRICTED]);
    expect(messages[0]?.message).toMatch(/'node:http' import is restricted.*add a port/);
  });

  it('core touches the file system only in changelog/fs.ts', async () => {
    const read = ["import { readFile } from 'node:fs/promises';", 'export const read = readFile;'];
    expect(rules(await lintAt('packages/core/src/publish/files.ts', read))).toEqual([RESTRICTED]);
    expect(await lintAt('packages/core/src/changelog/fs.ts', read)).toEqual([]);
  });

  it('core imports no other relkit package, and an adapter no front end', async () => {
    const up = ["import type { RegistryClient } from '@relkit/registry';", 'export type R = RegistryClient;'];
    expect(rules(await lintAt('packages/core/src/up.ts', up))).toEqual([RESTRICTED]);
    const front = [
      "export { main } from '@relkit/cli';",
      "export { connectRelease } from '@relkit/connect';",
      "export type { ConnectRelease } from 'relkit-vscode';",
    ];
    for (const adapter of ['registry', 'sigstore-verify', 'github']) {
      expect(rules(await lintAt(`packages/${adapter}/src/front.ts`, front))).toEqual([
        RESTRICTED,
        RESTRICTED,
        RESTRICTED,
      ]);
    }
  });

  it('two modules that import each other are an import cycle', async () => {
    const dir = mkdtempSync(join(root, 'packages/core/src/boundaries-tmp-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'a.ts'),
      "import { b } from './b.js';\nexport const a = (): string => `a${b.name}`;\n",
    );
    writeFileSync(
      join(dir, 'b.ts'),
      "import { a } from './a.js';\nexport const b = (): string => `b${a.name}`;\n",
    );
    const results = await eslint.lintFiles([join(dir, 'a.ts'), join(dir, 'b.ts')]);
    for (const r of results) {
      expect(rules(r.messages)).toEqual(['import-x/no-cycle']);
      expect(r.messages[0]?.message).toBe('Dependency cycle detected');
    }
    expect(results).toHaveLength(2);
  });
});
