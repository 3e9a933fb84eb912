import { describe, expect, it } from 'vitest';
import { redactor, secretsFromEnv } from './redact.js';

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
