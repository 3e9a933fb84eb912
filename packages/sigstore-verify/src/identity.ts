import { SigstoreVerifyError } from './errors.js';

/** Who must have signed: an exact identity, or a regexp that is always anchored. */
export type SingleIdentityMatch = { readonly identity: string } | { readonly identityRegexp: string };

/**
 * Who must have signed: one identity, or any of several (a release workflow renamed or moved:
 * versions signed before the migration must still verify).
 */
export type IdentityMatch = SingleIdentityMatch | { readonly anyOf: readonly SingleIdentityMatch[] };

/** The policy's identity words, e.g. `identity "…"` or `identity matching ^(?:…)$`. */
export function describeIdentity(match: IdentityMatch): string {
  if ('anyOf' in match) return `any of ${match.anyOf.map(describeIdentity).join(', ')}`;
  return 'identity' in match
    ? `identity "${match.identity}"`
    : `identity matching ^(?:${match.identityRegexp})$`;
}

/**
 * Compiles an identity policy into a predicate. A plain identity is an exact match; a regexp
 * is wrapped in ^(?:…)$ so `github.com/acme` can never match `evil-github.com/acme/x`.
 * A policy that would accept any identity is refused.
 */
export function compileIdentity(match: IdentityMatch): (san: string) => boolean {
  if ('anyOf' in match) {
    if (match.anyOf.length === 0)
      throw new SigstoreVerifyError('POLICY_INVALID', 'the list of identities is empty');
    const each = match.anyOf.map(compileIdentity);
    return (san) => each.some((accepts) => accepts(san));
  }
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
