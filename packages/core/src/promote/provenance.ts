import { provenanceRule, releaseBranchName, type ReleaseConfig, type ProvenanceRule } from '../config.js';
import { couldNotLook, type Evidence, type GateStatus } from '../engine/gates.js';
import type {
  ImageObservation,
  ManifestObservation,
  Observations,
  Platform,
  SignatureObservation,
} from '../observations.js';
import { formatTag } from '../version.js';

/**
 * The image-provenance gate: the signature gate checks who signed, this one what was built.
 * The signing certificate (Fulcio's extensions, reported by the signature port) must say the
 * image was built from the commit of the version tag (the finalize commit), from the release
 * branch or that tag, by the configured workflow, on a GitHub-hosted runner (unless allowed).
 * An image signed by the release workflow but built from a stale or force-pushed branch, or by
 * a run triggered from elsewhere, fails here. Fields are compared exactly; a failure names its
 * field (sourceDigest, sourceRef, signerWorkflow, runnerEnvironment).
 */
export interface ProvenanceVerdict {
  readonly status: GateStatus;
  readonly reason: string;
  readonly evidence: readonly Evidence[];
}

interface Expected {
  readonly tag: string;
  readonly commit: string;
  readonly refs: readonly string[];
  /** https://HOST/OWNER/REPO/PATH, when a workflow is pinned. */
  readonly workflowUri?: string | undefined;
  readonly allowSelfHostedRunners: boolean;
  /** SLSA provenance is required: its source commit must be the release commit too. */
  readonly slsa: boolean;
}

const short = (sha: string) => sha.slice(0, 12);

/** `[HOST/]OWNER/REPO/PATH` → https://HOST/OWNER/REPO/PATH (a first segment with a dot is a host). */
export function signerWorkflowUri(workflow: string): string {
  const parts = workflow.split('/');
  const host = parts[0]!.includes('.') ? parts.shift()! : 'github.com';
  return `https://${host}/${parts.join('/')}`;
}

/** The build signer URI without its `@ref` (the first `@`: owners, repositories and paths have none). */
function withoutRef(uri: string): string {
  const at = uri.indexOf('@');
  return at < 0 ? uri : uri.slice(0, at);
}

/**
 * Judges one verified signature's provenance against what the release says it must be. Other
 * signature states are the signature gate's to report (a provenance is only read from a
 * verified certificate), so they give no verdict here.
 */
export function judgeProvenance(s: SignatureObservation, want: Expected): ProvenanceVerdict | undefined {
  if (s.state !== 'verified') return undefined;
  const p = s.provenance;
  const fail = (reason: string): ProvenanceVerdict => ({ status: 'fail', reason, evidence: [] });
  if (p?.sourceDigest === undefined)
    return fail(
      'sourceDigest: the signing certificate names no source commit (a keyed signature, or not issued in GitHub Actions)',
    );
  if (p.sourceDigest !== want.commit)
    return fail(
      `sourceDigest: built from ${short(p.sourceDigest)}, not from ${short(want.commit)}, the commit of tag ${want.tag} (a re-run on a stale or moved branch?)`,
    );
  if (p.sourceRef === undefined || !want.refs.includes(p.sourceRef))
    return fail(`sourceRef: built from ${p.sourceRef ?? 'no ref'}, not ${want.refs.join(' or ')}`);
  if (
    want.workflowUri !== undefined &&
    (p.signerWorkflow === undefined || withoutRef(p.signerWorkflow) !== want.workflowUri)
  )
    return fail(
      `signerWorkflow: built and signed by ${p.signerWorkflow ?? 'an unnamed workflow'}, not ${want.workflowUri}`,
    );
  if (!want.allowSelfHostedRunners && p.runnerEnvironment !== 'github-hosted')
    return fail(
      `runnerEnvironment: built on a ${p.runnerEnvironment ?? 'unnamed'} runner, not a GitHub-hosted one (signing.provenance.allowSelfHostedRunners accepts self-hosted runners)`,
    );
  // Where SLSA provenance is required, what it says was built must agree (a missing one is the
  // image-attestations gate's to report).
  const slsa = want.slsa ? (s.slsaSources ?? []) : [];
  const stray = slsa.find((x) => x.sourceDigest !== undefined && x.sourceDigest !== want.commit);
  if (stray)
    return fail(
      `slsa.sourceDigest: the SLSA provenance says built from ${short(stray.sourceDigest!)}, not from ${short(want.commit)}, the commit of tag ${want.tag}`,
    );
  if (slsa.length > 0 && !slsa.some((x) => x.sourceDigest === want.commit))
    return fail('slsa.sourceDigest: the SLSA provenance names no source commit (resolvedDependencies)');
  return {
    status: 'pass',
    // The whole story in the reason too: the Action summary shows reasons, not evidence.
    reason: `built from ${short(p.sourceDigest)} (${p.sourceRef})${p.signerWorkflow ? ` by ${withoutRef(p.signerWorkflow).replace(/^https:\/\/github\.com\//, '')}` : ''} on a ${p.runnerEnvironment ?? 'unnamed'} runner`,
    evidence: [
      { label: 'commit', value: p.sourceDigest },
      { label: 'ref', value: p.sourceRef },
      ...(p.signerWorkflow ? [{ label: 'workflow', value: p.signerWorkflow }] : []),
      ...(p.runnerEnvironment ? [{ label: 'runner', value: p.runnerEnvironment }] : []),
      ...(p.runInvocation ? [{ label: 'run', value: p.runInvocation, url: p.runInvocation }] : []),
      ...(slsa.length > 0 ? [{ label: 'SLSA provenance commit', value: want.commit }] : []),
    ],
  };
}

const platformName = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

const TITLE = 'built from the release commit';
const PLATFORMS_TITLE = 'every platform built from the release commit';

/**
 * The image-provenance verdicts of one image: the index's, then (when platforms are verified)
 * one for the platform manifests. Only verified signatures are judged; none when the gate is off.
 */
export function provenanceVerdicts(
  config: ReleaseConfig,
  obs: Observations,
  img: ImageObservation,
): { title: string; verdict: ProvenanceVerdict }[] {
  const rule: ProvenanceRule | undefined = provenanceRule(config.signing);
  const v: ManifestObservation = img.version;
  if (!rule || v.state !== 'found') return [];
  const index = img.signature.state === 'verified';
  const platforms = config.signing?.verifyPlatforms
    ? v.platforms.flatMap((p, i) => {
        const s = img.platformSignatures?.[i];
        return s?.state === 'verified' ? [{ platform: platformName(p), signature: s }] : [];
      })
    : [];
  if (!index && platforms.length === 0) return [];
  const titles = [...(index ? [TITLE] : []), ...(platforms.length > 0 ? [PLATFORMS_TITLE] : [])];
  const tag = formatTag(obs.version, config.tagPrefix);
  const t = obs.versionTag;
  if (t.state !== 'found') {
    const verdict: ProvenanceVerdict =
      t.state === 'error'
        ? { status: 'pending', reason: couldNotLook(t), evidence: [] }
        : {
            status: 'fail',
            reason: `tag ${tag} does not exist, so the release commit is unknown`,
            evidence: [],
          };
    return titles.map((title) => ({ title, verdict }));
  }
  const want: Expected = {
    tag,
    commit: t.sha,
    refs: [`refs/heads/${releaseBranchName(config, obs.version)}`, `refs/tags/${tag}`],
    workflowUri: rule.signerWorkflow === undefined ? undefined : signerWorkflowUri(rule.signerWorkflow),
    allowSelfHostedRunners: rule.allowSelfHostedRunners,
    slsa: config.signing?.requireAttestations.includes('slsa') === true,
  };
  const out: { title: string; verdict: ProvenanceVerdict }[] = [];
  const judged = index ? judgeProvenance(img.signature, want) : undefined;
  if (judged) out.push({ title: TITLE, verdict: judged });
  if (platforms.length > 0) {
    const each = platforms.map((p) => ({
      platform: p.platform,
      verdict: judgeProvenance(p.signature, want)!,
    }));
    const bad = each.find((j) => j.verdict.status !== 'pass');
    out.push({
      title: PLATFORMS_TITLE,
      verdict: bad
        ? { ...bad.verdict, reason: `${bad.platform}: ${bad.verdict.reason}` }
        : {
            status: 'pass',
            reason: `${each.length} platform manifest(s) built from ${short(t.sha)}`,
            evidence: each.map((j) => ({
              label: j.platform,
              value: j.verdict.evidence.find((e) => e.label === 'commit')?.value ?? '',
            })),
          },
    });
  }
  return out;
}
