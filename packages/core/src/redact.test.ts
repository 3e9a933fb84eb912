import { describe, expect, it } from 'vitest';
import { heldSecrets, holdSecret, redactShapes, redactor, secretsFromEnv } from './redact.js';

describe('redactor', () => {
  const redact = redactor(() => secretsFromEnv({ GH_TOKEN: 's3cr3t-value', PATH: '/usr/bin' }));
  it('hides secret env values, GitHub tokens, auth headers and URL credentials', () => {
    expect(redact('a s3cr3t-value b')).toBe('a *** b');
    expect(redact('ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('***');
    expect(redact('Authorization: Bearer eyJhbGciOi.JIUzI1.NiJ9')).toBe('Authorization: Bearer ***');
    expect(redact('Authorization: token abcdefgh12345')).toBe('Authorization: token ***');
    expect(redact('https://user:pass@ghcr.io/v2/')).toBe('https://***@ghcr.io/v2/');
  });
  it('leaves ordinary text and non-secret env values alone', () => {
    expect(redact('/usr/bin sha256:abc 1.2.3')).toBe('/usr/bin sha256:abc 1.2.3');
  });
  it('picks up secrets that appear after it was made', () => {
    const session: { token?: string } = {};
    const r = redactor(() => [session.token]);
    expect(r('abc-123456')).toBe('abc-123456');
    session.token = 'abc-123456';
    expect(r('x abc-123456')).toBe('x ***');
  });
});

describe('redactor: base64 forms, held secrets and token shapes', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('masks the base64 of a secret, alone and as part of user:password', () => {
    const redact = redactor(() => ['hunter2-password']);
    expect(redact(`x ${b64('hunter2-password')} y`)).not.toContain(b64('hunter2-password'));
    for (const user of ['a', 'ab', 'abc', 'someone']) {
      const header = `authorization: Basic ${b64(`${user}:hunter2-password`)}`;
      const out = redact(header);
      // whatever the alignment, no 8 characters of the encoded password survive
      expect(out).toBe('authorization: Basic ***');
      const raw = redactor(() => ['hunter2-password'])(`blob=${b64(`${user}:hunter2-password`)}`);
      expect(raw).toContain('***');
    }
  });

  it('masks user:password pairs from the environment exactly', () => {
    const env = { RELKIT_REGISTRY_USERNAME: 'robot', RELKIT_REGISTRY_PASSWORD: 'pa55word-x' };
    const redact = redactor(() => secretsFromEnv(env));
    const encoded = b64('robot:pa55word-x');
    expect(redact(`header ${encoded}`)).toBe('header ***');
    expect(redact('https://robot:pa55word-x@registry.example/v2/')).not.toContain('pa55word-x');
  });

  it('masks secrets registered with holdSecret in every redactor, made before or after', () => {
    const early = redactor(() => []);
    holdSecret('docker-config-secret-1');
    expect(early('x docker-config-secret-1 y')).toBe('x *** y');
    expect(redactor(() => [])(b64('u:docker-config-secret-1'))).not.toContain(
      b64('docker-config-secret-1').slice(4, 16),
    );
    expect(heldSecrets()).toContain('docker-config-secret-1');
  });

  it.each([
    ['ghp_', `ghp_${'a1'.repeat(18)}`],
    ['gho_', `gho_${'B2'.repeat(18)}`],
    ['ghs_', `ghs_${'c3'.repeat(18)}`],
    ['ghu_', `ghu_${'D4'.repeat(18)}`],
    ['github_pat_', `github_pat_11ABCDEFG0${'x_Y'.repeat(20)}`],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl-_x'],
  ])('masks token shapes: %s', (_name, token) => {
    expect(redactShapes(`before ${token} after`)).toBe('before *** after');
  });

  it('masks Bearer, token and Basic credentials', () => {
    expect(redactShapes('Authorization: Bearer abc123def456ghi')).toBe('Authorization: Bearer ***');
    expect(redactShapes('authorization: token 0123456789abcdef')).toBe('authorization: token ***');
    expect(redactShapes(`authorization: Basic ${b64('user:pw')}`)).toBe('authorization: Basic ***');
  });

  it.each([
    'token requirements',
    'The token refresh logic was rewritten',
    'Basic information about releases',
    'Bearer authentication is supported',
    'see https://github.com/acme/app/pull/12 and sha256:abc',
    'Use `token: ${{ secrets.GITHUB_TOKEN }}` in the workflow',
    '- Breaking: tokens (TOKEN_SCOPE) are now validated',
  ])('leaves prose alone: %s', (prose) => {
    expect(redactor(() => secretsFromEnv({ PATH: '/usr/bin' }))(prose)).toBe(prose);
  });
});

describe('redactor: Authorization headers', () => {
  it.each([
    ['Authorization: Bearer abcdefghijkl', 'Authorization: Bearer ***'],
    ["headers: { authorization: 'Basic abcdefgh' }", "headers: { authorization: 'Basic ***' }"],
    ['authorization: token plainwords', 'authorization: token ***'],
  ])('masks any value in %s', (input, expected) => {
    expect(redactShapes(input)).toBe(expected);
  });
});

describe('redactor: the forms a secret takes on the way out', () => {
  it('masks a secret set with surrounding whitespace or a trailing newline in the form adapters send', () => {
    // The adapters trim what they read (GITHUB_TOKEN, gh's token); a server echoes the trimmed value.
    const redact = redactor(() =>
      secretsFromEnv({ REGISTRY_PASSWORD: 'hunter2pass\n', MY_TOKEN: '  abcdef123456  ' }),
    );
    expect(redact('echo hunter2pass end')).toBe('echo *** end');
    expect(redact('got abcdef123456.')).toBe('got ***.');
  });

  it('masks the percent-encoded forms (a URL, a form body) of a secret with special characters', () => {
    const secret = 'p@ss/w rd+%x1';
    const redact = redactor(() => [secret]);
    expect(redact(`q=${encodeURIComponent(secret)}&x=1`)).toBe('q=***&x=1');
    expect(
      redact(`refresh_token=${new URLSearchParams({ s: secret }).toString().slice(2)}&client_id=relkit`),
    ).toBe('refresh_token=***&client_id=relkit');
  });

  it('masks any userinfo in a URL: a bare token, or a password with an unescaped @', () => {
    expect(redactShapes('https://user:p@ss@host.example/x')).toBe('https://***@host.example/x');
    expect(redactShapes('clone https://opaqueTOKEN123@github.com/acme/app')).toBe(
      'clone https://***@github.com/acme/app',
    );
    // A digest after the path, or a scoped package, is no userinfo.
    for (const prose of [
      'https://ghcr.io/v2/acme/app@sha256:abc',
      'docker://app@sha256:0123',
      'https://registry.npmjs.org/@relkit/cli',
    ]) {
      expect(redactShapes(prose)).toBe(prose);
    }
  });
});
