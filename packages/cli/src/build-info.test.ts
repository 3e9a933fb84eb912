import { describe, expect, it } from 'vitest';
import { buildInfo, defaultAction, repositoryOf } from './build-info.js';

describe('build info', () => {
  it("reads OWNER/REPO from package.json's repository in its usual spellings", () => {
    expect(repositoryOf({ type: 'git', url: 'git+https://github.com/relkit/relkit.git' })).toBe(
      'relkit/relkit',
    );
    expect(repositoryOf('github:acme/tool')).toBe('acme/tool');
    expect(repositoryOf('git@github.com:acme/tool.git')).toBe('acme/tool');
    expect(repositoryOf('https://gitlab.com/acme/tool')).toBeUndefined();
    expect(repositoryOf(undefined)).toBeUndefined();
  });

  it('pins the recorded commit, else falls back to the version tag (unbundled sources have none)', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    expect(defaultAction({ repository: 'relkit/relkit', commit, version: '1.2.3' })).toEqual({
      action: `relkit/relkit@${commit}`,
      pinned: true,
    });
    expect(defaultAction({ repository: 'relkit/relkit', version: '1.2.3' })).toEqual({
      action: 'relkit/relkit@v1.2.3',
      pinned: false,
    });
    expect(buildInfo().repository).toBe('relkit/relkit');
    expect(buildInfo().commit).toBeUndefined();
  });
});
