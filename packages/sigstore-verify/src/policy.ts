import { createPublicKey, type KeyObject } from 'node:crypto';
import { CLAIM_NAMES, type FulcioClaimName, type FulcioClaims } from './claims.js';
import { SigstoreVerifyError } from './errors.js';
import { compileIdentity, describeIdentity, type IdentityMatch } from './identity.js';
import { compileProvenance, type ProvenancePolicy } from './provenance.js';

/** A claim must equal a string, or match a regexp that is always anchored. */
export type ClaimMatch = string | { readonly regexp: string };

/**
 * Keyless signing: who (certificate SAN), by which OIDC issuer, optional workflow claims, and
 * optional provenance (what the image was built from: commit, ref, signer workflow, runner).
 */
export type CertificatePolicy = IdentityMatch &
  ProvenancePolicy & {
    /** The OIDC issuer, matched exactly, e.g. https://token.actions.githubusercontent.com. */
    readonly issuer: string;
    /** Fulcio claims the certificate must carry, e.g. { sourceRepositoryUri: 'https://github.com/acme/app' }. */
    readonly claims?: Partial<Record<FulcioClaimName, ClaimMatch>>;
  };

/** Keyed signing (`cosign sign --key`): the PEM public key that must have signed. */
export interface KeyPolicy {
  readonly publicKey: string;
}

export type SignerPolicy = CertificatePolicy | KeyPolicy;

/** What a verified bundle tells about its signer; the input of a policy check. */
export interface SignerFacts {
  readonly identity?: string;
  readonly issuer?: string;
  readonly claims: FulcioClaims;
  /** DER SubjectPublicKeyInfo of the signing key. */
  readonly publicKeySpki: Buffer;
}

export interface CompiledPolicy {
  readonly kind: 'certificate' | 'key';
  /** Human summary, e.g. `identity "…" from issuer "…"`. */
  readonly description: string;
  /** For key policies: the key handed to the verifier. */
  readonly publicKey?: KeyObject;
  /** Why the signer is not acceptable, or undefined when it is. */
  check(signer: SignerFacts): string | undefined;
}

function compileClaim(name: string, match: ClaimMatch): (v: string | undefined) => boolean {
  if (typeof match === 'string') {
    if (match.length === 0) throw new SigstoreVerifyError('POLICY_INVALID', `claim ${name} is empty`);
    return (v) => v === match;
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${match.regexp})$`, 'u');
  } catch (e) {
    throw new SigstoreVerifyError(
      'POLICY_INVALID',
      `invalid regexp for claim ${name}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return (v) => v !== undefined && re.test(v);
}

/**
 * Validates and compiles a signer policy. Identities and claims are exact or anchored regexps;
 * a policy without an issuer, or one that accepts any identity, is refused.
 */
export function compilePolicy(policy: SignerPolicy): CompiledPolicy {
  if ('publicKey' in policy) {
    let key: KeyObject;
    try {
      key = createPublicKey(policy.publicKey);
    } catch (e) {
      throw new SigstoreVerifyError(
        'POLICY_INVALID',
        `the public key is not a PEM public key: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    const spki = key.export({ type: 'spki', format: 'der' });
    return {
      kind: 'key',
      description: 'the given public key',
      publicKey: key,
      check: (s) => (s.publicKeySpki.equals(spki) ? undefined : 'signed by another key'),
    };
  }
  if (typeof policy.issuer !== 'string' || policy.issuer.length === 0)
    throw new SigstoreVerifyError(
      'POLICY_INVALID',
      'the certificate OIDC issuer is required (e.g. https://token.actions.githubusercontent.com)',
    );
  const identityMatch: IdentityMatch =
    'anyOf' in policy
      ? { anyOf: policy.anyOf }
      : 'identity' in policy
        ? { identity: policy.identity }
        : { identityRegexp: policy.identityRegexp };
  const matchIdentity = compileIdentity(identityMatch);
  const claims = Object.entries(policy.claims ?? {}).map(([name, match]) => {
    if (!CLAIM_NAMES.includes(name as FulcioClaimName))
      throw new SigstoreVerifyError(
        'POLICY_INVALID',
        `unknown claim ${name}; known: ${CLAIM_NAMES.join(', ')}`,
      );
    if (match === undefined) throw new SigstoreVerifyError('POLICY_INVALID', `claim ${name} has no value`);
    return { name: name as FulcioClaimName, test: compileClaim(name, match), match };
  });
  const provenance = compileProvenance(policy);
  const who = describeIdentity(identityMatch);
  return {
    kind: 'certificate',
    description: `${who} from issuer "${policy.issuer}"`,
    check(s) {
      if (s.identity === undefined) return 'signed with a key, but the policy wants a certificate identity';
      if (!matchIdentity(s.identity)) return `identity "${s.identity}" does not match the expected ${who}`;
      if (s.issuer !== policy.issuer) return `issuer "${s.issuer ?? '(none)'}" is not "${policy.issuer}"`;
      for (const c of claims) {
        const v = s.claims[c.name];
        if (!c.test(v))
          return `claim ${c.name} is ${v === undefined ? 'missing' : `"${v}"`}, expected ${typeof c.match === 'string' ? `"${c.match}"` : `^(?:${c.match.regexp})$`}`;
      }
      return provenance?.(s.claims);
    },
  };
}
