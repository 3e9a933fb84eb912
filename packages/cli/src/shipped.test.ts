// No test hook ships: the CLI's built files and the GitHub Action's bundle name neither the old
// crash-injection variable nor the extension's module override. Crash injection comes from a
// test-only preload (src/e2e/crash-after.mjs, not built); see the README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HOOKS = ['RELKIT_TEST_CRASH_AFTER', 'RELKIT_VSCODE_CONNECT_MODULE', 'RELKIT_E2E_CRASH_AFTER'];
const cliDist = fileURLToPath(new URL('../dist', import.meta.url));
const actionBundle = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('shipped artifacts carry no test hooks', () => {
  it('the built CLI (packages/cli/dist, bin) names no test hook, nor the e2e preload variable', () => {
    expect(existsSync(cliDist), 'build the CLI first').toBe(true);
    const shipped = [...files(cliDist), ...files(fileURLToPath(new URL('../bin', import.meta.url)))];
    expect(shipped.length).toBeGreaterThan(10);
    for (const f of shipped) {
      const text = readFileSync(f, 'utf8');
      for (const hook of HOOKS) expect(text.includes(hook), `${f} names ${hook}`).toBe(false);
    }
  });

  it("the Action's dist/index.js names no test hook", () => {
    const text = readFileSync(actionBundle, 'utf8');
    expect(text.length).toBeGreaterThan(10_000);
    for (const hook of HOOKS) expect(text.includes(hook), `dist/index.js names ${hook}`).toBe(false);
  });
});
