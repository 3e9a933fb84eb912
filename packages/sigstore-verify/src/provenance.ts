import type { FulcioClaims } from './claims.js';
import { SigstoreVerifyError } from './errors.js';

/**
 * What the image was built from, as the signing certificate states it (Fulcio extensions under
 * 1.3.6.1.4.1.57264.1, decoded as DER in claims.ts). The same checks as `gh attestation verify
 * --source-digest/--source-ref/--signer-workflow/--deny-self-hosted-runners`, compared exactly.
 */
export interface ProvenancePolicy {
  /** .13 source repository digest: the commit the workflow ran on, e.g. the release commit's SHA. */
  readonly sourceDigest?: string;
  /** .14 source repository ref, e.g. `refs/tags/v1.2.3` or `refs/heads/release/1.2.3`. */
  readonly sourceRef?: string;
  /**
   * `[HOST/]OWNER/REPO/PATH` (host github.com by default): equals the .9 build signer URI
   * without its `@ref`, e.g. `acme/app/.github/workflows/release.yml`.
   */
  readonly signerWorkflow?: string;
  /** Require the .11 runner environment to be `github-hosted`. */
  readonly denySelfHostedRunners?: boolean;
}

export type ProvenanceField = keyof ProvenancePolicy;

/** Which claim each field is compared with, and its OID, for the reasons. */
const CLAIM_OF = {
  sourceDigest: ['sourceRepositoryDigest', '1.3.6.1.4.1.57264.1.13'],
  sourceRef: ['sourceRepositoryRef', '1.3.6.1.4.1.57264.1.14'],
  signerWorkflow: ['buildSignerUri', '1.3.6.1.4.1.57264.1.9'],
  denySelfHostedRunners: ['runnerEnvironment', '1.3.6.1.4.1.57264.1.11'],
} as const;

/**
 * `[HOST/]OWNER/REPO/PATH` → `https://HOST/OWNER/REPO/PATH`. The first segment is a host when
 * it has a dot (owners and repositories on GitHub cannot), as `gh attestation verify` reads it.
 */
export function signerWorkflowUri(workflow: string, defaultHost = 'github.com'): string {
  const bare = workflow.replace(/^https:\/\//, '');
  const parts = bare.split('/');
  const host = parts[0]!.includes('.') ? parts.shift()! : defaultHost;
  if (parts.length < 3 || parts.some((p) => p.length === 0) || bare.includes('@'))
    throw new SigstoreVerifyError(
      'POLICY_INVALID',
      `signer workflow "${workflow}" is not [HOST/]OWNER/REPO/PATH, e.g. acme/app/.github/workflows/release.yml`,
    );
  return `https://${host}/${parts.join('/')}`;
}

/** The build signer URI without its `@ref` (the first `@`: owners, repositories and paths have none). */
export function withoutRef(uri: string): string {
  const at = uri.indexOf('@');
  return at < 0 ? uri : uri.slice(0, at);
}

/** Validates a provenance policy and returns its check: the first failing field's reason, or undefined. */
export function compileProvenance(
  policy: ProvenancePolicy,
): ((claims: FulcioClaims) => string | undefined) | undefined {
  const { sourceDigest, sourceRef, signerWorkflow, denySelfHostedRunners } = policy;
  for (const [field, v] of [
    ['sourceDigest', sourceDigest],
    ['sourceRef', sourceRef],
  ] as const)
    if (v !== undefined && v.length === 0)
      throw new SigstoreVerifyError('POLICY_INVALID', `${field} is empty`);
  if (sourceDigest !== undefined && !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sourceDigest))
    throw new SigstoreVerifyError(
      'POLICY_INVALID',
      `sourceDigest "${sourceDigest}" is not a full lowercase commit SHA`,
    );
  const workflowUri = signerWorkflow === undefined ? undefined : signerWorkflowUri(signerWorkflow);
  const expected: [ProvenanceField, string | undefined, (c: FulcioClaims) => string | undefined][] = [
    ['sourceDigest', sourceDigest, (c) => c.sourceRepositoryDigest],
    ['sourceRef', sourceRef, (c) => c.sourceRepositoryRef],
    [
      'signerWorkflow',
      workflowUri,
      (c) => (c.buildSignerUri === undefined ? undefined : withoutRef(c.buildSignerUri)),
    ],
    [
      'denySelfHostedRunners',
      denySelfHostedRunners ? 'github-hosted' : undefined,
      (c) => c.runnerEnvironment,
    ],
  ];
  const active = expected.filter(([, want]) => want !== undefined);
  if (active.length === 0) return undefined;
  return (claims) => {
    for (const [field, want, read] of active) {
      const have = read(claims);
      if (have === want) continue;
      const [claim, oid] = CLAIM_OF[field];
      return `${field}: the certificate's ${claim} (${oid}) is ${have === undefined ? 'missing' : `"${have}"`}, expected "${want}"`;
    }
    return undefined;
  };
}
