import { describe, expect, it } from 'vitest';
import { rejectionOf } from './expect.js';

class DomainError extends Error {}

describe('rejectionOf', () => {
  it('returns the error of the expected class', async () => {
    const e = new DomainError('no');
    expect(await rejectionOf(Promise.reject(e), DomainError)).toBe(e);
  });

  it('fails when the promise resolves, or rejects with another error', async () => {
    await expect(rejectionOf(Promise.resolve(1), DomainError)).rejects.toThrow(
      'expected a DomainError, but the promise resolved',
    );
    await expect(rejectionOf(Promise.reject(new TypeError('x')), DomainError)).rejects.toThrow(
      'expected a DomainError, got TypeError: x',
    );
  });
});
