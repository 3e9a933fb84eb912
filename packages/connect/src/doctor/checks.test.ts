import { describe, expect, it } from 'vitest';
import { parseConfig } from '@relkit/release-core';
import {
  checkSigningPolicy,
  checkWorkflow,
  doctorReport,
  skip,
  workflowPins,
  workflowPrefixOf,
} from './checks.js';

const template = 'steps:\n  - uses: actions/checkout@v4\n  - uses: relkit/relkit@v1\n  - uses: ./local\n';

describe('workflow checks', () => {
  it('reads pins and flags only the actions the template shares with a different ref', () => {
    expect([...workflowPins(template)]).toEqual([
      ['actions/checkout', 'v4'],
      ['relkit/relkit', 'v1'],
    ]);
    expect(checkWorkflow('w.yml', template, template).status).toBe('pass');
    const old = checkWorkflow(
      'w.yml',
      template.replace('checkout@v4', 'checkout@v3') + '  - uses: mine/x@v9\n',
      template,
    );
    expect(old).toMatchObject({ status: 'fail', detail: 'outdated pins: actions/checkout@v3 (now @v4)' });
    expect(checkWorkflow('w.yml', undefined, template)).toMatchObject({ status: 'fail', detail: 'missing' });
  });
});

describe('checkSigningPolicy', () => {
  const config = (signing: unknown) =>
    parseConfig({
      repository: 'acme/app',
      images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64'] }],
      signing,
    });
  const issuer = 'https://token.actions.githubusercontent.com';
  it("passes a policy anchored to this repository's publish workflow", () => {
    const ok = config({
      issuer,
      identityRegexp:
        'https://github\\.com/acme/app/\\.github/workflows/release-publish\\.yml@refs/heads/release/.+',
    });
    expect(checkSigningPolicy(ok).status).toBe('pass');
    expect(workflowPrefixOf(ok)).toBe('');
  });
  it('reads the workflow prefix init wrote into the identity, and checks against that file', () => {
    const prefixed = config({
      issuer,
      identityRegexp:
        'https://github\\.com/acme/app/\\.github/workflows/relkit\\.release-publish\\.yml@refs/heads/release/.+',
    });
    expect(workflowPrefixOf(prefixed)).toBe('relkit.');
    expect(checkSigningPolicy(prefixed, '.github/workflows/relkit.release-publish.yml').status).toBe('pass');
    expect(checkSigningPolicy(prefixed).status).toBe('fail');
  });
  it('fails a policy for another workflow file, or one any repository satisfies', () => {
    const other = config({
      issuer,
      identityRegexp: 'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@.*',
    });
    expect(checkSigningPolicy(other)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('release-publish'),
    });
    // The config itself refuses a regexp any repository satisfies (core's identity policy); the
    // doctor still says so for a config that reached it some other way.
    expect(() => config({ issuer, identityRegexp: 'https://github\\.com/.*' })).toThrow(/identityRegexp/);
    const loose = { ...other, signing: { ...other.signing!, identityRegexp: 'https://github\\.com/.*' } };
    expect(checkSigningPolicy(loose).detail).toContain('other repositories');
  });
  it('skips do not fail the report; fails do', () => {
    expect(doctorReport([skip('x', 'x', 'why')]).ok).toBe(true);
  });
});
