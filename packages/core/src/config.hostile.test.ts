// Hostile or unlucky release.config.json text: every refusal is an INVALID_CONFIG naming the file
// and the JSON path, and nothing the JSON could smuggle (a prototype, a second value for a key, a
// newline in a branch name) reaches the ports.
import { describe, expect, it } from 'vitest';
import { parseConfig, parseConfigText, refNameProblem } from './config.js';
import { ReleaseError } from './errors.js';

const SOURCE = '/repo/release.config.json';

function refusal(text: string): ReleaseError {
  try {
    parseConfigText(text, SOURCE);
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    expect((e as ReleaseError).code).toBe('INVALID_CONFIG');
    expect((e as ReleaseError).message).toContain(SOURCE);
    return e as ReleaseError;
  }
  throw new Error(`accepted: ${text}`);
}

const withField = (field: string, value: unknown) =>
  JSON.stringify({ repository: 'acme/app', [field]: value });

describe('config text from editors and people', () => {
  it('accepts a UTF-8 BOM (Windows editors save one)', () => {
    expect(parseConfigText('\uFEFF{"repository":"acme/app"}').repository).toBe('acme/app');
  });

  it('refuses __proto__ and constructor keys without polluting Object.prototype', () => {
    expect(refusal('{"repository":"acme/app","__proto__":{"polluted":1}}').message).toMatch(
      /at \$: Unrecognized key: "__proto__"/,
    );
    expect(refusal('{"repository":"acme/app","merge":{"__proto__":{"method":"squash"}}}').message).toMatch(
      /at \$\.merge: Unrecognized key: "__proto__"/,
    );
    expect(refusal('{"repository":"acme/app","constructor":{"prototype":{"polluted":1}}}').message).toMatch(
      /Unrecognized key: "constructor"/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a key given twice, naming the object, where JSON.parse would keep the last silently', () => {
    const e = refusal('{"repository":"acme/app","requireApproval":true,"requireApproval":false}');
    expect(e.message).toMatch(/at \$: duplicate key "requireApproval"/);
    expect(e.details).toEqual({
      issues: [{ path: '$', message: expect.stringMatching(/duplicate key "requireApproval"/) as unknown }],
    });
    const nested =
      '{"repository":"acme/app","images":[{"name":"ghcr.io/acme/a"},{"name":"ghcr.io/acme/b","name":"ghcr.io/evil/b"}]}';
    expect(refusal(nested).message).toMatch(/at \$\.images\[1\]: duplicate key "name"/);
    // The same key in two objects, and strings that look like keys (escaped quotes), are not duplicates.
    const c = parseConfigText(
      String.raw`{"repository":"acme/app","merge":{"method":"squash"},"smoke":{"repository":"acme/app"},"registries":{"insecure":["a\"b\\", "\",\"repository\":\"x"]}}`,
    );
    expect(c.merge.method).toBe('squash');
    expect(c.registries.insecure).toEqual(['a"b\\', '","repository":"x']);
    expect(() => parseConfigText('{"repository":"acme/app","\\u0072epository":"evil/app"}', SOURCE)).toThrow(
      /duplicate key "repository"/,
    );
  });

  it('refuses an empty file and numbers JSON cannot hold, naming the field', () => {
    expect(refusal('').message).toMatch(/is not valid JSON/);
    expect(refusal('   \n').message).toMatch(/is not valid JSON/);
    expect(refusal(withField('requireApproval', 0).replace('0', '1e400')).message).toMatch(
      /at \$\.requireApproval:/,
    );
    expect(refusal(withField('tagPrefix', 0).replace('0', '-0')).message).toMatch(/at \$\.tagPrefix:/);
  });
});

describe('branch names and the tag prefix become git refs', () => {
  it.each([
    [
      'baseBranch',
      'main\r\nX-Injected: 1',
      /at \$\.baseBranch: not a valid branch name: contains a control character \(U\+000D\)/,
    ],
    ['baseBranch', 'ma in', /at \$\.baseBranch: not a valid branch name: contains a space/],
    ['baseBranch', '../main', /at \$\.baseBranch: not a valid branch name: contains "\.\."/],
    ['baseBranch', 'main.lock', /at \$\.baseBranch: .*ends with "\.lock"/],
    [
      'integrationBranch',
      'dev\u0000',
      /at \$\.integrationBranch: not a valid branch name: contains a control character \(U\+0000\)/,
    ],
    ['integrationBranch', '/dev', /at \$\.integrationBranch: .*empty path component/],
    [
      'releaseBranch',
      'release/{version}\n',
      /at \$\.releaseBranch: not a valid branch name: release\/1\.2\.3-rc1\n contains a control character/,
    ],
    ['releaseBranch', '../{version}', /at \$\.releaseBranch: .*contains "\.\."/],
    ['releaseBranch', 'rel:{version}', /at \$\.releaseBranch: .*contains ":"/],
    ['tagPrefix', 'v\n', /at \$\.tagPrefix: not a valid tag prefix: v\n1\.2\.3 contains a control character/],
    ['tagPrefix', '../', /at \$\.tagPrefix: .*contains "\.\."/],
    ['tagPrefix', 'v~', /at \$\.tagPrefix: .*contains "~"/],
  ])('refuses %s %j', (field, value, message) => {
    expect(refusal(withField(field, value)).message).toMatch(message);
  });

  it('accepts the names projects use', () => {
    const c = parseConfig({
      repository: 'acme/app',
      baseBranch: 'main',
      integrationBranch: 'develop/next',
      releaseBranch: 'releases/v{version}',
      tagPrefix: 'app-v',
    });
    expect([c.baseBranch, c.integrationBranch, c.releaseBranch, c.tagPrefix]).toEqual([
      'main',
      'develop/next',
      'releases/v{version}',
      'app-v',
    ]);
    expect(parseConfig({ repository: 'acme/app', tagPrefix: 'app/' }).tagPrefix).toBe('app/');
    expect(parseConfig({ repository: 'acme/app' }).tagPrefix).toBe('');
  });

  it('refNameProblem follows git check-ref-format', () => {
    for (const ok of ['main', 'release/1.2.3-rc1', 'v1.2.3', 'feature/a.b', 'a@b'])
      expect(refNameProblem(ok), ok).toBeUndefined();
    for (const bad of [
      '',
      '@',
      'a@{1}',
      'a.',
      '.hidden',
      'a/.b',
      'a//b',
      'a/',
      'a^',
      'a?',
      'a*',
      'a[',
      'a\\b',
      'x'.repeat(201),
    ])
      expect(refNameProblem(bad), bad).toBeDefined();
  });
});
