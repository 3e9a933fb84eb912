// The multi-file finalize fields (issue 19): `changelog` as a path or { path, mirrors }, versionFiles.
import { describe, expect, it } from 'vitest';
import { isGitflow, parseConfig, releaseConfigJsonSchema } from './config.js';

const base = { repository: 'acme/app' };

describe('changelog and versionFiles', () => {
  it('a path string still works and means no mirrors', () => {
    const c = parseConfig({ ...base, changelog: 'docs/CHANGELOG.md' });
    expect(c.changelog).toBe('docs/CHANGELOG.md');
    expect(c.changelogMirrors).toEqual([]);
    expect(c.versionFiles).toEqual([]);
    expect(parseConfig(base).changelog).toBe('CHANGELOG.md');
  });

  it('{ path, mirrors } lists the copies', () => {
    const c = parseConfig({ ...base, changelog: { mirrors: ['assets/CHANGELOG.md'] } });
    expect(c.changelog).toBe('CHANGELOG.md');
    expect(c.changelogMirrors).toEqual(['assets/CHANGELOG.md']);
    // A parsed config parses again to itself.
    expect(parseConfig(c)).toEqual(c);
  });

  it('a version file pattern must compile and capture the version', () => {
    const ok = parseConfig({
      ...base,
      versionFiles: [{ path: 'README.md', pattern: 'v(\\d+\\.\\d+\\.\\d+)' }],
    });
    expect(ok.versionFiles).toEqual([{ path: 'README.md', pattern: 'v(\\d+\\.\\d+\\.\\d+)' }]);
    expect(() => parseConfig({ ...base, versionFiles: [{ path: 'README.md', pattern: 'v\\d+' }] })).toThrow(
      /versionFiles\[0\]\.pattern: expected a valid regexp with one capture group/,
    );
    expect(() => parseConfig({ ...base, versionFiles: [{ path: 'README.md', pattern: '(' }] })).toThrow(
      /versionFiles\[0\]\.pattern/,
    );
  });

  it('the editor schema offers both forms of changelog', () => {
    const props = releaseConfigJsonSchema().properties as Record<string, { anyOf?: unknown[] }>;
    expect(props.changelog?.anyOf).toHaveLength(2);
    expect(props.versionFiles).toBeDefined();
  });
});

describe('integrationBranch and syncIntegrationBranch (gitflow prepare)', () => {
  it('defaults to the base branch, and syncing on', () => {
    const c = parseConfig({ ...base, baseBranch: 'trunk' });
    expect(c.integrationBranch).toBe('trunk');
    expect(c.syncIntegrationBranch).toBe(true);
    expect(isGitflow(c)).toBe(false);
  });

  it('names the integration branch releases are cut from; a parsed config parses to itself', () => {
    const c = parseConfig({ ...base, integrationBranch: 'dev', syncIntegrationBranch: false });
    expect(c.integrationBranch).toBe('dev');
    expect(c.baseBranch).toBe('main');
    expect(c.syncIntegrationBranch).toBe(false);
    expect(isGitflow(c)).toBe(true);
    expect(parseConfig(c)).toEqual(c);
  });

  it('errors name the JSON path', () => {
    expect(() => parseConfig({ ...base, integrationBranch: '' })).toThrow(/at \$\.integrationBranch:/);
    expect(() => parseConfig({ ...base, syncIntegrationBranch: 'yes' })).toThrow(
      /at \$\.syncIntegrationBranch:/,
    );
  });
});
