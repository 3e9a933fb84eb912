// Shared setup for the tests that run the forge against the GitHub simulator.
import { startGitHubSimulator, type GitHubSimulator, type GitHubSimulatorOptions } from '@relkit/testkit';
import { afterEach, beforeEach } from 'vitest';
import { GitHubForge, type GitHubForgeOptions } from '../forge.js';
import type { RepositoryName } from '../repository.js';

export const REPO: RepositoryName = { owner: 'acme', repo: 'app' };
export const SMOKE: RepositoryName = { owner: 'acme', repo: 'app-smoke-test' };
export const R = 'acme/app';
export const S = 'acme/app-smoke-test';

/** Fast timings: the waits the plugins compute shrink to milliseconds; nothing else changes. */
export const FAST = { pollIntervalMs: 5, retryBaseMs: 5, writeSpacingMs: 0 } as const;

export function forgeFor(sim: GitHubSimulator, options: Partial<GitHubForgeOptions> = {}): GitHubForge {
  return new GitHubForge({ token: sim.pushToken, baseUrl: sim.url, ...FAST, ...options });
}

/** A fresh simulator per test with the origin's two repositories; violations fail the test. */
export function useSimulator(options: GitHubSimulatorOptions = {}): {
  readonly sim: GitHubSimulator;
  readonly main: string;
} {
  const ctx = { sim: undefined as unknown as GitHubSimulator, main: '' };
  beforeEach(async () => {
    ctx.sim = await startGitHubSimulator(options);
    ctx.main = ctx.sim.createRepo(R, {
      files: { 'CHANGELOG.md': '# Changelog\n\n## [1.2.3] - TBD\n\n### Added\n\n- x\n' },
    });
    ctx.sim.createRepo(S);
  });
  afterEach(async () => {
    try {
      ctx.sim.assertNoViolations();
    } finally {
      await ctx.sim.stop();
    }
  });
  return ctx;
}
