import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RegistryClient, defaultCredentials, formatReference, parseReference } from '@relkit/registry';
import {
  BundleVerifier,
  CLAIM_NAMES,
  SigstoreVerifyError,
  loadTrustRootFile,
  publicGoodTrustRoot,
  refreshTrustRoot,
  registrySignatureStore,
  signerWorkflowUri,
  verifyImage,
  type AttestationRequirement,
  type CertificatePolicy,
  type ClaimMatch,
  type ImageVerification,
  type ProvenancePolicy,
  type SignerPolicy,
  type TrustRoot,
  type VerifiedSigner,
} from '@relkit/sigstore-verify';
import {
  ExitCode,
  UsageError,
  stringOption,
  timeoutMs,
  timeoutOption,
  writeJson,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';

const identityOptions = {
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'trusted-root': { type: 'string' },
  key: { type: 'string' },
  'source-digest': { type: 'string' },
  'source-ref': { type: 'string' },
  'signer-workflow': { type: 'string' },
  'deny-self-hosted-runners': { type: 'boolean' },
} as const;

const provenanceHelp = `  --source-digest SHA              the commit the image was built from: the certificate's source
                                   repository digest (Fulcio OID …57264.1.13), exactly
  --source-ref REF                 the ref it was built from (…1.14), exactly, e.g. refs/tags/v1.2.3
  --signer-workflow [HOST/]OWNER/REPO/PATH
                                   the workflow that built and signed: the build signer URI (…1.9)
                                   without its @ref, exactly; HOST is github.com by default
  --deny-self-hosted-runners       the runner environment (…1.11) must be github-hosted`;

async function readText(ctx: CliContext, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(ctx.cwd, path), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** --key, or an identity (exact or regexp, never both) with an issuer. */
async function policyFrom(args: ParsedArgs, ctx: CliContext): Promise<SignerPolicy> {
  const key = stringOption(args, 'key');
  const identity = stringOption(args, 'certificate-identity');
  const regexp = stringOption(args, 'certificate-identity-regexp');
  const issuer = stringOption(args, 'certificate-oidc-issuer');
  if (key !== undefined) {
    if (identity !== undefined || regexp !== undefined || issuer !== undefined)
      throw new UsageError(
        '--key verifies a keyed signature: leave out --certificate-identity* and --certificate-oidc-issuer',
      );
    if (Object.keys(provenanceFrom(args)).length > 0)
      throw new UsageError(
        '--key verifies a keyed signature, which carries no provenance: leave out --source-*, --signer-workflow and --deny-self-hosted-runners',
      );
    return { publicKey: await readText(ctx, key, 'public key') };
  }
  if (identity !== undefined && regexp !== undefined)
    throw new UsageError('give --certificate-identity or --certificate-identity-regexp, not both');
  if (identity === undefined && regexp === undefined)
    throw new UsageError(
      'who must have signed? give --certificate-identity (exact) or --certificate-identity-regexp (anchored), or --key',
    );
  if (issuer === undefined)
    throw new UsageError(
      '--certificate-oidc-issuer is required (e.g. https://token.actions.githubusercontent.com)',
    );
  const claims = claimsFrom(args);
  const who = identity !== undefined ? { identity } : { identityRegexp: regexp! };
  return { ...who, issuer, ...(claims ? { claims } : {}), ...provenanceFrom(args) };
}

/** --source-digest, --source-ref, --signer-workflow, --deny-self-hosted-runners (as `gh attestation verify`). */
function provenanceFrom(args: ParsedArgs): ProvenancePolicy {
  const sourceDigest = stringOption(args, 'source-digest');
  const sourceRef = stringOption(args, 'source-ref');
  const signerWorkflow = stringOption(args, 'signer-workflow');
  if (sourceDigest !== undefined && !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sourceDigest))
    throw new UsageError(`--source-digest takes a full lowercase commit SHA, not "${sourceDigest}"`);
  if (sourceRef !== undefined && !sourceRef.startsWith('refs/'))
    throw new UsageError(`--source-ref takes a full ref (refs/heads/… or refs/tags/…), not "${sourceRef}"`);
  if (signerWorkflow !== undefined) {
    try {
      signerWorkflowUri(signerWorkflow);
    } catch (e) {
      throw new UsageError(`--signer-workflow: ${(e as Error).message}`);
    }
  }
  return {
    ...(sourceDigest !== undefined ? { sourceDigest } : {}),
    ...(sourceRef !== undefined ? { sourceRef } : {}),
    ...(signerWorkflow !== undefined ? { signerWorkflow } : {}),
    ...(args.values['deny-self-hosted-runners'] ? { denySelfHostedRunners: true } : {}),
  };
}

/** --claim NAME=VALUE (exact) and --claim-regexp NAME=REGEXP (anchored), repeatable. */
function claimsFrom(args: ParsedArgs): CertificatePolicy['claims'] | undefined {
  const out: Record<string, ClaimMatch> = {};
  const take = (flag: string, regexp: boolean) => {
    for (const v of (args.values[flag] ?? []) as string[]) {
      const i = v.indexOf('=');
      if (i <= 0)
        throw new UsageError(
          `--${flag} takes NAME=${regexp ? 'REGEXP' : 'VALUE'}, e.g. sourceRepositoryRef=refs/tags/v1`,
        );
      const name = v.slice(0, i);
      if (!(CLAIM_NAMES as readonly string[]).includes(name))
        throw new UsageError(`unknown claim ${name}; known: ${CLAIM_NAMES.join(', ')}`);
      out[name] = regexp ? { regexp: v.slice(i + 1) } : v.slice(i + 1);
    }
  };
  take('claim', false);
  take('claim-regexp', true);
  return Object.keys(out).length ? (out as CertificatePolicy['claims']) : undefined;
}

async function trustRootFrom(args: ParsedArgs, ctx: CliContext, deadlineMs?: number): Promise<TrustRoot> {
  const file = stringOption(args, 'trusted-root');
  if (file !== undefined) return loadTrustRootFile(resolve(ctx.cwd, file));
  const cache = stringOption(args, 'tuf-cache');
  if (cache !== undefined) {
    const ms = deadlineMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The TUF mirror gets the same deadline as every other server (each fetch: at most 5 s).
      return await Promise.race([
        refreshTrustRoot({ cachePath: resolve(ctx.cwd, cache), timeoutMs: Math.min(5000, ms) }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the TUF mirror did not answer within ${ms / 1000} s`)),
            ms,
          );
          timer.unref?.();
        }),
      ]);
    } catch (e) {
      ctx.stderr(`warning: ${(e as Error).message}; using the pinned public-good root\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  return publicGoodTrustRoot();
}

function signerLines(s: VerifiedSigner, indent: string): string[] {
  const lines = [
    s.kind === 'key'
      ? `${indent}signer: public key sha256:${s.keyFingerprint}`
      : `${indent}identity: ${s.identity ?? '(none)'}`,
  ];
  if (s.issuer) lines.push(`${indent}issuer: ${s.issuer}`);
  if (s.claims.sourceRepositoryUri) lines.push(`${indent}source repository: ${s.claims.sourceRepositoryUri}`);
  if (s.claims.sourceRepositoryDigest)
    lines.push(`${indent}source commit: ${s.claims.sourceRepositoryDigest}`);
  if (s.claims.sourceRepositoryRef) lines.push(`${indent}source ref: ${s.claims.sourceRepositoryRef}`);
  if (s.claims.buildSignerUri) lines.push(`${indent}signer workflow: ${s.claims.buildSignerUri}`);
  if (s.claims.runnerEnvironment) lines.push(`${indent}runner: ${s.claims.runnerEnvironment}`);
  if (s.claims.buildTrigger) lines.push(`${indent}trigger: ${s.claims.buildTrigger}`);
  if (s.tlogIndex)
    lines.push(
      `${indent}tlog index: ${s.tlogIndex}${s.integratedTime ? ` (integrated ${s.integratedTime})` : ''}`,
    );
  return lines;
}

export function renderImageVerification(r: ImageVerification, root: TrustRoot): string {
  const out: string[] = [];
  if (r.verdict === 'verified') {
    out.push(`Verification for ${r.repository}@${r.digest} --`);
    out.push('The following checks were performed on each of these signatures:');
    out.push('  - The signed subject was checked to be this image digest');
    out.push('  - The signature was verified against the transparency log entry and its key');
    out.push(`  - The signing certificate or key was verified against the trusted root (${root.source})`);
    out.push('  - The signer matched the identity policy');
    r.signers.forEach((s, i) => {
      out.push(`signature ${i + 1}:`);
      out.push(...signerLines(s, '  '));
    });
  } else {
    out.push(`${r.verdict.toUpperCase()}: ${r.summary}`);
  }
  for (const a of r.attestations) {
    out.push(`attestation ${a.predicateType} (${a.category}, ${a.source}):`);
    out.push(...signerLines(a.signer, '  '));
  }
  for (const f of r.findings.filter((x) => x.outcome === 'rejected'))
    out.push(
      `rejected ${f.kind} in ${f.source} ${f.manifestDigest.slice(0, 19)}…: ${f.reason?.code} ${f.reason?.message}`,
    );
  for (const p of r.lookupProblems) out.push(`could not read ${p.source} ${p.reference}: ${p.message}`);
  return `${out.join('\n')}\n`;
}

const imageVerify: Command = {
  path: ['image', 'verify'],
  summary: 'verify an image digest is signed (and attested) by the expected identity, in-process',
  usage:
    'image verify <ref> (--certificate-identity I | --certificate-identity-regexp R) --certificate-oidc-issuer U [--trusted-root F] [--key K] [--source-digest SHA] [--source-ref REF] [--signer-workflow [HOST/]OWNER/REPO/PATH] [--deny-self-hosted-runners] [--require-attestation slsa|sbom] [--claim NAME=VALUE] [--claim-regexp NAME=REGEXP] [--tuf-cache DIR] [--json] [--timeout S]',
  help: `Finds signatures through the OCI 1.1 referrers API (or the sha256-<hex> fallback tag) and
cosign's legacy .sig/.att tags, and verifies them with sigstore-js against the pinned Sigstore
public-good trusted root (offline) or --trusted-root. A regexp identity is always anchored.

Options:
  --certificate-identity I         exact certificate identity (SAN)
  --certificate-identity-regexp R  identity regexp, matched as ^(?:R)$
  --certificate-oidc-issuer U      OIDC issuer, exact
  --trusted-root F                 trusted_root.json (e.g. GitHub's, for private repositories)
  --tuf-cache DIR                  refresh the public-good root through TUF, caching in DIR (optional)
  --key K                          PEM public key for keyed (cosign --key) signatures
  --claim NAME=VALUE               a Fulcio claim the certificate must carry, exactly (repeatable),
                                   e.g. sourceRepositoryUri=https://github.com/acme/app
  --claim-regexp NAME=REGEXP       the same with an anchored regexp, e.g. sourceRepositoryRef=refs/tags/v.+
${provenanceHelp}
  --require-attestation slsa|sbom  also require a verified SLSA provenance / SBOM attestation (repeatable)
  --json                           print the result as JSON (when not verified, with
                                   error: { code, message } at the top level)
  --timeout S                      seconds each registry (or TUF) operation may take, retries
                                   included (default 60, or RELKIT_TIMEOUT)

Exit codes: 0 verified; 1 not signed, rejected, missing attestation, or could not look.`,
  options: {
    ...identityOptions,
    'tuf-cache': { type: 'string' },
    'require-attestation': { type: 'string', multiple: true },
    claim: { type: 'string', multiple: true },
    'claim-regexp': { type: 'string', multiple: true },
    json: { type: 'boolean' },
    ...timeoutOption,
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const required = (args.values['require-attestation'] ?? []) as string[];
    for (const r of required)
      if (r !== 'slsa' && r !== 'sbom')
        throw new UsageError(`--require-attestation takes slsa or sbom, not "${r}"`);
    let ref;
    try {
      ref = parseReference(args.positionals[0]!);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const deadlineMs = timeoutMs(args, ctx.env);
    const policy = await policyFrom(args, ctx);
    const trustRoot = await trustRootFrom(args, ctx, deadlineMs);
    const verifier = new BundleVerifier({ trustRoot, policy });
    const client = new RegistryClient({
      credentials: defaultCredentials(ctx.env),
      proxyEnv: ctx.env,
      deadlineMs,
    });
    const digest = ref.digest ?? (await client.resolveDigest(ref, { signal: ctx.signal }));
    const result = await verifyImage(
      { repository: ref.repository, digest },
      {
        store: registrySignatureStore(client, ref.registry),
        verifier,
        requireAttestations: required as AttestationRequirement[],
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    if (args.values.json)
      writeJson(ctx, {
        reference: formatReference({ ...ref, digest }),
        trustRoot: trustRoot.source,
        ...result,
        ...(result.verdict === 'verified'
          ? {}
          : {
              error: {
                code: result.verdict === 'could-not-look' ? 'COULD_NOT_LOOK' : 'NOT_VERIFIED',
                message: `${result.verdict}: ${result.summary}`,
              },
            }),
      });
    else
      ctx.stdout(
        renderImageVerification({ ...result, repository: `${ref.registry}/${ref.repository}` }, trustRoot),
      );
    return result.verdict === 'verified' ? ExitCode.ok : ExitCode.failed;
  },
};

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

const verifyBundle: Command = {
  path: ['sigstore', 'verify-bundle'],
  summary: 'verify one Sigstore bundle (the sigstore-conformance client protocol)',
  usage:
    'sigstore verify-bundle --bundle F ((--certificate-identity I | --certificate-identity-regexp R) --certificate-oidc-issuer U | --key K) [--trusted-root F] [--source-digest SHA] [--source-ref REF] [--signer-workflow [HOST/]OWNER/REPO/PATH] [--deny-self-hosted-runners] [--json] FILE_OR_DIGEST',
  help: `Implements the sigstore-conformance CLI protocol: exit 0 when the bundle verifies for the
artifact (a file, or its sha256:<hex> digest), non-zero otherwise. Without
--trusted-root the pinned Sigstore public-good root is used; trust-root validity windows are checked.

Provenance (what was built, from the certificate's Fulcio extensions, compared exactly):
${provenanceHelp}

Exit codes: 0 verified; 1 rejected (the reason names the failing field); 2 usage error.`,
  options: { bundle: { type: 'string' }, ...identityOptions, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(args, ctx) {
    const bundlePath = stringOption(args, 'bundle');
    if (bundlePath === undefined) throw new UsageError('--bundle is required');
    const policy = await policyFrom(args, ctx);
    const trustRoot = await trustRootFrom(args, ctx);
    const text = await readText(ctx, bundlePath, 'bundle');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SigstoreVerifyError('BUNDLE_INVALID', `${bundlePath} is not JSON: ${(e as Error).message}`);
    }
    const target = args.positionals[0]!;
    const input = DIGEST_RE.test(target)
      ? { subjectDigest: target, artifactDigest: target }
      : {
          artifact: await readFile(resolve(ctx.cwd, target)).catch((e: Error) => {
            throw new UsageError(`cannot read artifact ${target}: ${e.message}`);
          }),
        };
    const r = new BundleVerifier({ trustRoot, policy }).verify(json, input);
    if (args.values.json) writeJson(ctx, { verified: true, trustRoot: trustRoot.source, signer: r.signer });
    else ctx.stdout(`Verified OK\n${signerLines(r.signer, '  ').join('\n')}\n`);
    return ExitCode.ok;
  },
};

export const sigstoreCommands: readonly Command[] = [imageVerify, verifyBundle];
