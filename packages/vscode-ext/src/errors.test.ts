import { describe, expect, it } from 'vitest';
import { classifyError, errorCode, ExtensionError } from './errors.js';

describe('classifyError', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    [new ExtensionError('NO_CONFIG', 'x'), 'no-config'],
    [new ExtensionError('SIGN_IN_REQUIRED', 'x'), 'sign-in'],
    [coded('UNAUTHORIZED'), 'sign-in'],
    [coded('INVALID_CONFIG'), 'invalid-config'],
    [coded('RATE_LIMITED'), 'offline'],
    [coded('NETWORK'), 'offline'],
    [new TypeError('fetch failed'), 'offline'],
    [new Error('wrapped', { cause: coded('ECONNREFUSED') }), 'offline'],
    [coded('GATE_NOT_MET'), 'error'],
    // The adapter's own word wins over the code: `transient` as set on ObservationError.
    [Object.assign(new Error('503'), { code: 'HTTP_503', transient: true }), 'offline'],
    [Object.assign(new Error('no'), { code: 'UNAVAILABLE', transient: false }), 'error'],
    ['a string', 'error'],
  ])('%s → %s', (e, kind) => {
    expect(classifyError(e)).toBe(kind);
  });
  it('reads the code of a cause', () => {
    expect(errorCode(new Error('outer', { cause: coded('TIMEOUT') }))).toBe('TIMEOUT');
  });
});
