import { describe, expect, it } from 'vitest';
import { makeRedactor } from './redact.js';

describe('makeRedactor', () => {
  const redact = makeRedactor({ GH_TOKEN: 's3cr3t-value', PATH: '/usr/bin' });
  it('hides secret env values, GitHub tokens, auth headers and URL credentials', () => {
    expect(redact('a s3cr3t-value b')).toBe('a *** b');
    expect(redact('ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('***');
    expect(redact('Authorization: Bearer eyJhbGciOi.JIUzI1.NiJ9')).toBe('Authorization: Bearer ***');
    expect(redact('https://user:pass@ghcr.io/v2/')).toBe('https://***@ghcr.io/v2/');
  });
  it('leaves ordinary text and non-secret env values alone', () => {
    expect(redact('/usr/bin sha256:abc 1.2.3')).toBe('/usr/bin sha256:abc 1.2.3');
  });
});
