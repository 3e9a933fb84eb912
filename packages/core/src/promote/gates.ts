import type { ReleaseConfig } from '../config.js';
import {
  couldNotLook,
  markCouldNotLook,
  type Evidence,
  type Gate,
  type GateStatus,
} from '../engine/gates.js';
import type {
  ImageObservation,
  ManifestObservation,
  Observations,
  SignatureObservation,
} from '../observations.js';
import { compareVersions, formatTag, parseTag, type ReleaseVersion } from '../version.js';
import { provenanceVerdicts } from './provenance.js';

export { anyCouldNotLook, awaitableGates, summarizeGates } from '../engine/gates.js';
export type { Evidence, GateStatus } from '../engine/gates.js';

export type GateId =
  | 'version'
  | 'image-present'
  | 'image-platforms'
  | 'image-signature'
  | 'image-attestations'
  | 'image-provenance'
  | 'latest-order'
  | 'draft-release'
  | 'smoke'
  | 'pr-open'
  | 'pr-not-draft'
  | 'pr-approved'
  | 'pr-checks'
  | 'pr-mergeable';

/** A promote gate's result. */
export type GateResult = Gate<GateId>;

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

function gate(
  id: GateId,
  title: string,
  status: GateStatus,
  reason: string,
  evidence: Evidence[] = [],
  subject?: string,
): GateResult {
  return markCouldNotLook({
    id,
    title,
    status,
    reason,
    evidence,
    ...(subject === undefined ? {} : { subject }),
  });
}

function imageGates(config: ReleaseConfig, obs: Observations, img: ImageObservation): GateResult[] {
  const name = img.image;
  // The image is the gate's subject: title and reason name only the tag, so a gate line does
  // not repeat the image reference.
  const present = `tag ${obs.version} exists`;
  const wanted = config.images.find((i) => i.name === name)?.platforms ?? [];
  const v: ManifestObservation = img.version;
  const out: GateResult[] = [];
  if (v.state === 'error') {
    out.push(gate('image-present', present, 'pending', couldNotLook(v), [], name));
    return out;
  }
  if (v.state === 'missing') {
    out.push(
      gate(
        'image-present',
        present,
        'fail',
        `${obs.version} is not in the registry; CI has not pushed it`,
        [],
        name,
      ),
    );
    return out;
  }
  out.push(
    gate(
      'image-present',
      present,
      'pass',
      v.multiArch ? 'a multi-arch index' : 'a single manifest',
      [{ label: 'digest', value: v.digest }],
      name,
    ),
  );
  const have = v.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
  const missing = wanted.filter((w) => !have.some((h) => h === w || h.startsWith(`${w}/`)));
  if (!v.multiArch && wanted.length > 1) {
    out.push(
      gate(
        'image-platforms',
        'every required platform',
        'fail',
        `${obs.version} is a single-platform manifest; ${wanted.join(', ')} are required in one index`,
        [{ label: 'digest', value: v.digest }],
        name,
      ),
    );
  } else if (missing.length > 0) {
    out.push(
      gate(
        'image-platforms',
        'every required platform',
        'fail',
        `missing ${missing.join(', ')} (index has ${have.join(', ') || 'none'})`,
        [{ label: 'digest', value: v.digest }],
        name,
      ),
    );
  } else {
    out.push(
      gate(
        'image-platforms',
        'every required platform',
        'pass',
        have.join(', '),
        v.platforms.map((p) => ({ label: `${p.os}/${p.architecture}`, value: p.digest })),
        name,
      ),
    );
  }
  out.push(signatureGate(img.signature, v.digest, name));
  if (config.signing?.verifyPlatforms) {
    const bad = (img.platformSignatures ?? []).filter((s) => s.state !== 'verified');
    if (bad.length > 0 || (img.platformSignatures ?? []).length < v.platforms.length) {
      const first = bad[0];
      const reason = first ? signatureGate(first, '', name).reason : 'platform signatures were not checked';
      out.push(
        gate(
          'image-signature',
          'every platform signed',
          first?.state === 'error' ? 'pending' : 'fail',
          reason,
          [],
          name,
        ),
      );
    }
  }
  for (const { title, verdict } of provenanceVerdicts(config, obs, img))
    out.push(gate('image-provenance', title, verdict.status, verdict.reason, [...verdict.evidence], name));
  const required = config.signing?.requireAttestations ?? [];
  if (required.length > 0) {
    const s = img.signature;
    const found = s.state === 'verified' ? s.attestations : [];
    const lacking = required.filter((r) => !found.includes(r));
    out.push(
      s.state === 'error'
        ? gate(
            'image-attestations',
            `attestations (${required.join(', ')})`,
            'pending',
            couldNotLook(s),
            [],
            name,
          )
        : lacking.length === 0
          ? gate(
              'image-attestations',
              `attestations (${required.join(', ')})`,
              'pass',
              `verified ${found.join(', ')}`,
              [],
              name,
            )
          : gate(
              'image-attestations',
              `attestations (${required.join(', ')})`,
              'fail',
              `no verified ${lacking.join(', ')} attestation for ${short(v.digest)}`,
              [],
              name,
            ),
    );
  }
  return out;
}

function signatureGate(s: SignatureObservation, digest: string, subject: string): GateResult {
  const title = 'signed by the release workflow';
  switch (s.state) {
    case 'verified':
      if (digest && s.digest !== digest) {
        return gate(
          'image-signature',
          title,
          'fail',
          `the verified signature is for ${short(s.digest)}, not ${short(digest)}`,
          [],
          subject,
        );
      }
      return gate(
        'image-signature',
        title,
        'pass',
        `${s.signer.identity} (${s.signer.issuer})`,
        [
          { label: 'signed digest', value: s.digest },
          ...(s.signer.tlogIndex ? [{ label: 'tlog index', value: s.signer.tlogIndex }] : []),
        ],
        subject,
      );
    case 'rejected':
      return gate(
        'image-signature',
        title,
        'fail',
        `signatures found, none acceptable: ${s.reasons.join('; ')}`,
        [],
        subject,
      );
    case 'unsigned':
      return gate('image-signature', title, 'fail', `no signature found for ${short(s.digest)}`, [], subject);
    case 'not-checked':
      return gate('image-signature', title, 'fail', 'no signing policy is configured', [], subject);
    case 'error':
      return gate('image-signature', title, 'pending', couldNotLook(s), [], subject);
  }
}

/** `latest` may only move forward to a final version; a re-run at the same version is fine. */
function latestOrderGate(obs: Observations): GateResult {
  const title = 'newer than the current latest';
  // A latest that could not be read is not "no latest yet": a rollback check needs it.
  const unread = obs.images.find((i) => i.latest.state === 'error');
  if (unread && unread.latest.state === 'error')
    return gate(
      'latest-order',
      title,
      'pending',
      couldNotLook({ code: unread.latest.code, message: `${unread.image}:latest: ${unread.latest.message}` }),
    );
  const target = obs.version;
  const current = obs.images
    .map((i) => (i.latestVersion === undefined ? undefined : parseTag(i.latestVersion)))
    .filter((x): x is ReleaseVersion => x !== undefined);
  const higher = current.filter((c) => compareVersions(c, target) > 0);
  if (higher.length > 0) {
    return gate(
      'latest-order',
      title,
      'fail',
      `latest is ${higher[0]!.text}, newer than ${obs.version}: that is a rollback; use \`release-cli rollback --to ${obs.version}\``,
    );
  }
  const unknown = obs.images.filter((i) => i.latest.state === 'found' && i.latestVersion === undefined);
  const reason =
    current.length > 0
      ? `latest is ${current.map((c) => c.text).join(', ')}`
      : unknown.length > 0
        ? 'latest points at a digest no version tag has; promote replaces it'
        : 'no latest yet';
  return gate('latest-order', title, 'pass', reason);
}

/**
 * Every gate of a promote, as a pure function of the observations. A gate passes when the
 * promote may go ahead, fails when it must not, and is pending when relkit could not look or
 * the world has not settled (checks running, mergeability being computed).
 * Gates judge against the goal, so a promote that was interrupted half-way still passes them
 * (a release already published by this promote is not a failure of the draft gate).
 */
export function evaluateGates(config: ReleaseConfig, obs: Observations): GateResult[] {
  const gates: GateResult[] = [];
  const version = obs.version;
  gates.push(
    version.candidate !== undefined
      ? gate(
          'version',
          'a final version',
          'fail',
          `${obs.version} is a release candidate; latest only ever points at a final version`,
        )
      : gate('version', 'a final version', 'pass', obs.version.text),
  );
  for (const img of obs.images) gates.push(...imageGates(config, obs, img));
  if (obs.images.length > 0) gates.push(latestOrderGate(obs));

  const r = obs.release;
  const tag = formatTag(obs.version, config.tagPrefix);
  // "draft" only while it is one: after promote the same gate sees the published release.
  const draftTitle = r.state === 'published' ? 'GitHub release' : 'draft GitHub release';
  if (r.state === 'error') gates.push(gate('draft-release', draftTitle, 'pending', couldNotLook(r)));
  else if (r.state === 'missing') {
    gates.push(
      gate(
        'draft-release',
        draftTitle,
        'fail',
        `no release for tag ${tag}; run publish first (drafts are only visible to tokens with push access)`,
      ),
    );
  } else {
    const ev = [{ label: 'release', value: r.tag, url: r.url }];
    gates.push(
      r.state === 'draft'
        ? gate('draft-release', draftTitle, 'pass', `draft release ${r.tag}`, ev)
        : gate('draft-release', draftTitle, 'pass', `release ${r.tag} is published`, ev),
    );
  }

  const s = obs.smoke;
  const rule = config.smoke?.success ?? 'published';
  if (s.state !== 'not-configured') {
    const title = `downstream smoke test (${rule})`;
    if (s.state === 'error') gates.push(gate('smoke', title, 'pending', couldNotLook(s)));
    else if (s.state === 'missing')
      gates.push(gate('smoke', title, 'pending', `no release ${s.tag} in ${s.repository} yet`));
    else {
      const ok = s.state === 'draft' ? false : rule === 'either' || s.state === rule;
      const ev = [{ label: 'smoke release', value: `${s.repository}@${s.tag}`, url: s.url }];
      gates.push(
        ok
          ? gate('smoke', title, 'pass', `${s.repository} has a ${s.state} release ${s.tag}`, ev)
          : gate(
              'smoke',
              title,
              s.state === 'draft' ? 'pending' : 'fail',
              `${s.repository} release ${s.tag} is a ${s.state}, the rule needs ${rule}`,
              ev,
            ),
      );
    }
  }
  gates.push(...pullRequestGates(config, obs));
  return gates;
}

/**
 * What the PR gates judge against. `allowNoChecks`: publish reads the PR before CI ran on the
 * finalize commit; promote (which merges) never sets it.
 */
export type PullRequestGateConfig = Pick<ReleaseConfig, 'requireApproval'> & {
  readonly pullRequest?: Partial<ReleaseConfig['pullRequest']> | undefined;
  readonly allowNoChecks?: boolean;
};

/** The PR gates, also re-run right before the merge; all of them judge the PR's current head. */
export function pullRequestGates(
  config: PullRequestGateConfig,
  obs: Pick<Observations, 'pullRequest'>,
): GateResult[] {
  const pr = obs.pullRequest;
  if (pr.state === 'error') return [gate('pr-open', 'release PR', 'pending', couldNotLook(pr))];
  if (pr.state === 'missing') {
    return [gate('pr-open', 'release PR', 'fail', `no open PR ${pr.head} → ${pr.base}`)];
  }
  const ev: Evidence[] = [{ label: 'PR', value: `#${pr.number}`, url: pr.url }];
  if (pr.state === 'merged') {
    return [
      gate('pr-open', 'release PR', 'pass', `#${pr.number} is merged`, [
        ...ev,
        ...(pr.mergeCommitSha ? [{ label: 'merge commit', value: pr.mergeCommitSha }] : []),
      ]),
    ];
  }
  if (pr.state === 'closed') {
    return [
      gate('pr-open', 'release PR', 'fail', `#${pr.number} was closed without merging (abandoned?)`, ev),
    ];
  }
  const headEv: Evidence[] = [...ev, { label: 'head', value: pr.headSha }];
  const out: GateResult[] = [
    gate('pr-open', 'release PR', 'pass', `#${pr.number} ${pr.head} → ${pr.base}`, ev),
  ];
  out.push(
    pr.draft
      ? gate(
          'pr-not-draft',
          'PR ready for review',
          'fail',
          `#${pr.number} is a draft; mark it ready (gh pr ready ${pr.number})`,
          ev,
        )
      : gate('pr-not-draft', 'PR ready for review', 'pass', 'ready for review', ev),
  );
  if (config.requireApproval) out.push(approvalGate(config, pr, headEv));
  out.push(checksGate(config, pr, headEv));
  const advice: Record<string, string> = {
    behind: 'the branch is behind its base; update it (merge or rebase the base in) and wait for checks',
    blocked: 'branch protection blocks the merge (missing review or required check)',
    dirty: 'the branch has merge conflicts with its base; resolve them on the release branch',
    unstable: 'a non-required check is failing',
    draft: 'the PR is a draft',
    unknown: 'GitHub is still computing mergeability; try again in a moment',
  };
  const m = pr.mergeable;
  out.push(
    m === 'clean' || m === 'has_hooks' || m === 'unstable'
      ? gate('pr-mergeable', 'PR mergeable', 'pass', m === 'unstable' ? advice.unstable! : 'mergeable', ev)
      : gate(
          'pr-mergeable',
          'PR mergeable',
          m === 'unknown' ? 'pending' : 'fail',
          `${m}: ${advice[m] ?? m}`,
          ev,
        ),
  );
  return out;
}

type OpenPullRequest = Extract<Observations['pullRequest'], { readonly number: number }>;

/** An approval counts only when given on the head: a later push is not what was reviewed. */
function approvalGate(config: PullRequestGateConfig, pr: OpenPullRequest, ev: Evidence[]): GateResult {
  const title = 'PR approved';
  const head = pr.headSha.slice(0, 7);
  if (pr.approved === 'unknown')
    return gate('pr-approved', title, 'pending', 'the review decision could not be read', ev);
  if (!pr.approved) return gate('pr-approved', title, 'fail', `#${pr.number} has no approving review`, ev);
  if (pr.approvedOnHead) return gate('pr-approved', title, 'pass', `approved at ${head}`, ev);
  if (config.pullRequest?.acceptStaleApprovals === true)
    return gate('pr-approved', title, 'pass', `approved on an older commit (stale approvals accepted)`, ev);
  return gate(
    'pr-approved',
    title,
    'fail',
    `the approval was given on an older commit, not on the head ${head}: commits pushed since were not reviewed; ask for a review of ${head}`,
    ev,
  );
}

/**
 * Checks of the head commit: each required check's latest run succeeded; without a list, at
 * least one check ran and every one is green ("no checks" is not evidence of anything).
 */
function checksGate(config: PullRequestGateConfig, pr: OpenPullRequest, ev: Evidence[]): GateResult {
  const head = pr.headSha.slice(0, 7);
  const required = config.pullRequest?.requiredChecks;
  const title = required?.length
    ? `required checks green (${required.join(', ')})`
    : 'checks green (latest run per name)';
  const checkEv = (cs: typeof pr.checks) => [
    ...ev,
    ...cs.map((c) => ({ label: 'check', value: `${c.name}: ${c.state}`, url: c.url })),
  ];
  const judged = required?.length ? pr.checks.filter((c) => required.includes(c.name)) : pr.checks;
  const failed = judged.filter(
    (c) => c.state === 'failure' || (required?.length && c.state !== 'success' && c.state !== 'pending'),
  );
  const pending = judged.filter((c) => c.state === 'pending');
  const absent = required?.length ? required.filter((n) => !pr.checks.some((c) => c.name === n)) : [];
  if (failed.length > 0)
    return gate(
      'pr-checks',
      title,
      'fail',
      `failing: ${failed.map((c) => `${c.name} (${c.state})`).join(', ')} on ${head}`,
      checkEv(failed),
    );
  if (absent.length > 0)
    return gate(
      'pr-checks',
      title,
      'fail',
      `required check ${absent.join(', ')} has not run on the head ${head}`,
      checkEv(judged),
    );
  if (pending.length > 0)
    return gate(
      'pr-checks',
      title,
      'pending',
      `running: ${pending.map((c) => c.name).join(', ')} on ${head}`,
      checkEv(pending),
    );
  if (judged.length === 0 && !config.allowNoChecks)
    return gate(
      'pr-checks',
      title,
      'fail',
      `no checks reported on the head ${head}; at least one must run and pass`,
      ev,
    );
  return gate(
    'pr-checks',
    title,
    'pass',
    judged.length === 0 ? 'no checks reported' : `${judged.length} green on ${head}`,
    checkEv(judged),
  );
}
