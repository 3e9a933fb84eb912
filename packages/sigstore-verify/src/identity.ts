import { SigstoreVerifyError } from './errors.js';

/** Who must have signed: an exact identity, or a regexp that is always anchored. */
export type IdentityMatch = { readonly identity: string } | { readonly identityRegexp: string };

/**
 * Compiles an identity policy into a predicate. A plain identity is an exact match; a regexp
 * is wrapped in ^(?:…)$ so `github.com/acme` can never match `evil-github.com/acme/x`.
 * A policy that would accept any identity is refused.
 */
export function compileIdentity(match: IdentityMatch): (san: string) => boolean {
  if ('identity' in match) {
    if (match.identity.length === 0)
      throw new SigstoreVerifyError('POLICY_INVALID', 'the certificate identity is empty');
    return (san) => san === match.identity;
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${match.identityRegexp})$`, 'u');
  } catch (e) {
    throw new SigstoreVerifyError('POLICY_INVALID', `invalid identity regexp: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (re.test('') || re.test('https://evil.example/any') || re.test('x')) {
    throw new SigstoreVerifyError(
      'POLICY_INVALID',
      `identity regexp "${match.identityRegexp}" accepts any identity; name the workflow that signs releases`,
    );
  }
  return (san) => re.test(san);
}
