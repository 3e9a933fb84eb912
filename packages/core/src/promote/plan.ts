import type { ReleaseConfig } from '../config.js';
import { isGitflow, releaseBranchName } from '../config.js';
import type { Plan as EnginePlan, PlannedStep as EnginePlannedStep } from '../engine/plan.js';
import { ReleaseError } from '../errors.js';
import type { Observations } from '../observations.js';
import { compareVersions, floatingTags, formatTag, parseTag } from '../version.js';
import { cleanupRoute } from '../cleanup/route.js';
import { syncBranchName, type SyncStep } from '../prepare/sync.js';
import { evaluateGates, summarizeGates, type GateResult } from './gates.js';

/**
 * One idempotent step of a plan. Steps are data: the executor knows, for each kind, how to tell
 * it is already done, how to act, and how to check the outcome afterwards.
 */
export type Step =
  | {
      readonly kind: 'move-tag';
      readonly image: string;
      readonly tag: string;
      readonly fromDigest: string | null;
      readonly toDigest: string;
    }
  | {
      readonly kind: 'publish-release';
      readonly releaseId: number;
      readonly tag: string;
      readonly url: string;
    }
  | {
      readonly kind: 'merge-pr';
      readonly number: number;
      readonly head: string;
      readonly base: string;
      readonly headSha: string;
      /** Undefined: the forge picks the first method the repository allows. */
      readonly method?: 'merge' | 'squash' | 'rebase' | undefined;
    }
  /** Best effort: an RC image tag and its own signatures. */
  | {
      readonly kind: 'delete-candidate-image';
      readonly image: string;
      readonly tag: string;
      readonly digest: string;
    }
  /**
   * Best effort, where the registry manages deletes outside the OCI API (ghcr.io): the RC
   * package versions of an image through the GitHub Packages API (cleanup/).
   */
  | { readonly kind: 'delete-candidate-versions'; readonly image: string; readonly tags: readonly string[] }
  | { readonly kind: 'delete-draft-release'; readonly releaseId: number; readonly tag: string }
  | { readonly kind: 'delete-tag'; readonly tag: string }
  | {
      readonly kind: 'close-pr';
      readonly number: number;
      readonly head: string;
      readonly base: string;
      readonly comment: string;
    }
  | { readonly kind: 'delete-branch'; readonly branch: string }
  /** Gitflow, best effort: the integration branch gets the merged release back. */
  | SyncStep;

/** A step of a promote, rollback or abandon plan. */
export type PlannedStep = EnginePlannedStep<Step>;

export type PlanKind = 'promote' | 'rollback' | 'abandon';

/** A promote, rollback or abandon plan: the engine's plan with promote's steps and gates. */
export type Plan = EnginePlan<Step, PlanKind, GateResult>;

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

export function stepId(step: Step): string {
  switch (step.kind) {
    case 'move-tag':
    case 'delete-candidate-image':
      return `${step.kind} ${step.image}:${step.tag}`;
    case 'delete-candidate-versions':
      return `${step.kind} ${step.image}`;
    case 'publish-release':
    case 'delete-draft-release':
    case 'delete-tag':
      return `${step.kind} ${step.tag}`;
    case 'merge-pr':
    case 'close-pr':
      return `${step.kind} #${step.number}`;
    case 'delete-branch':
      return `${step.kind} ${step.branch}`;
    case 'sync-integration-branch':
      return `${step.kind} ${step.branch}`;
  }
}

function planned(
  step: Step,
  done: boolean,
  description: string,
  flags: { irreversible?: boolean; bestEffort?: boolean } = {},
): PlannedStep {
  return {
    id: stepId(step),
    step,
    done,
    description,
    irreversible: flags.irreversible ?? false,
    bestEffort: flags.bestEffort ?? false,
  };
}

/**
 * The promote plan: move `latest` for every image → publish the release → merge the PR →
 * optional floating tags → optional best-effort RC cleanup. Pure; the gates decide whether the
 * executor may run it at all.
 */
export function planPromote(config: ReleaseConfig, obs: Observations): Plan {
  const gates = evaluateGates(config, obs);
  const verdict = summarizeGates(gates);
  const steps: PlannedStep[] = [];
  const version = obs.version;
  for (const img of obs.images) {
    if (img.version.state !== 'found') continue;
    const to = img.version.digest;
    const from = img.latest.state === 'found' ? img.latest.digest : null;
    steps.push(
      planned(
        { kind: 'move-tag', image: img.image, tag: 'latest', fromDigest: from, toDigest: to },
        from === to,
        `point ${img.image}:latest at ${obs.version} (${short(to)})${from && from !== to ? `, was ${short(from)}` : ''}`,
        { irreversible: true },
      ),
    );
  }
  const r = obs.release;
  if (r.state === 'draft' || r.state === 'published') {
    steps.push(
      planned(
        { kind: 'publish-release', releaseId: r.id, tag: r.tag, url: r.url },
        r.state === 'published',
        `publish GitHub release ${r.tag} and mark it latest`,
        { irreversible: true },
      ),
    );
  }
  const pr = obs.pullRequest;
  if (pr.state === 'open' || pr.state === 'merged') {
    steps.push(
      planned(
        {
          kind: 'merge-pr',
          number: pr.number,
          head: pr.head,
          base: pr.base,
          headSha: pr.headSha,
          ...(config.merge.method ? { method: config.merge.method } : {}),
        },
        pr.state === 'merged',
        `merge PR #${pr.number} (${pr.head} → ${pr.base}) by ${config.merge.method ?? 'an allowed method'} at ${pr.headSha.slice(0, 7)}`,
        { irreversible: true },
      ),
    );
    // Gitflow: once merged, the integration branch gets the release back. Best effort: latest
    // moved and the PR merged, so a refusal here is a warning with the way out, never a failure.
    if (isGitflow(config) && config.syncIntegrationBranch) {
      const v = obs.version.text;
      steps.push(
        planned(
          {
            kind: 'sync-integration-branch',
            branch: config.integrationBranch,
            base: pr.base,
            version: v,
            syncBranch: syncBranchName(v),
          },
          false,
          `bring ${config.integrationBranch} up to date with ${pr.base} (fast-forward, else a sync PR from ${syncBranchName(v)})`,
          { bestEffort: true },
        ),
      );
    }
  }
  if (config.floatingTags) {
    for (const img of obs.images) {
      if (img.version.state !== 'found') continue;
      for (const tag of floatingTags(version)) {
        steps.push(
          planned(
            { kind: 'move-tag', image: img.image, tag, fromDigest: null, toDigest: img.version.digest },
            false,
            `point ${img.image}:${tag} at ${obs.version}`,
          ),
        );
      }
    }
  }
  if (config.cleanupCandidates) {
    for (const img of obs.images) {
      if (cleanupRoute(config, img.image) === 'packages-api') {
        // ghcr.io refuses the OCI DELETE (405 UNSUPPORTED): one step deletes the RC package
        // versions through the GitHub Packages API, deciding afresh what X.Y.Z and latest keep.
        const tags = (img.candidateTags ?? []).map((c) => c.tag);
        if (tags.length > 0)
          steps.push(
            planned(
              { kind: 'delete-candidate-versions', image: img.image, tags },
              false,
              `remove the RC package versions of ${img.image} (${tags.join(', ')}) through the GitHub Packages API`,
              { bestEffort: true },
            ),
          );
        continue;
      }
      // Never delete a digest that a kept tag still names: deleting a manifest deletes every tag on it.
      const keep = new Set([
        img.version.state === 'found' ? img.version.digest : '',
        img.latest.state === 'found' ? img.latest.digest : '',
      ]);
      for (const c of img.candidateTags ?? []) {
        if (keep.has(c.digest)) continue;
        steps.push(
          planned(
            { kind: 'delete-candidate-image', image: img.image, tag: c.tag, digest: c.digest },
            false,
            `remove candidate ${img.image}:${c.tag} (${short(c.digest)}) and its own signatures`,
            { bestEffort: true },
          ),
        );
      }
    }
  }
  return { kind: 'promote', version: obs.version.text, gates, verdict, steps };
}

/**
 * Rollback: move `latest` back to an earlier version that still exists and is still signed.
 * Published releases are not touched (GitHub burns a deleted release's tag forever).
 */
export function planRollback(config: ReleaseConfig, target: Observations): Plan {
  if (target.version.candidate !== undefined) {
    throw new ReleaseError(
      'ROLLBACK_REFUSED',
      `${target.version} is a release candidate; latest only points at final versions`,
    );
  }
  // Moving latest forward is a promote (with every gate), never a rollback.
  const older = target.images
    .map((i) => i.latestVersion)
    .filter((v): v is string => v !== undefined)
    .find((v) => {
      const at = parseTag(v);
      return at !== undefined && compareVersions(at, target.version) < 0;
    });
  if (older !== undefined) {
    throw new ReleaseError(
      'ROLLBACK_REFUSED',
      `latest is ${older}, older than ${target.version}: moving forward is a promote (release-cli promote ${target.version})`,
    );
  }
  const gates = evaluateGates(config, target).filter((g) =>
    ['version', 'image-present', 'image-platforms', 'image-signature', 'image-attestations'].includes(g.id),
  );
  const steps: PlannedStep[] = [];
  for (const img of target.images) {
    if (img.version.state !== 'found') continue;
    const from = img.latest.state === 'found' ? img.latest.digest : null;
    steps.push(
      planned(
        { kind: 'move-tag', image: img.image, tag: 'latest', fromDigest: from, toDigest: img.version.digest },
        from === img.version.digest,
        `point ${img.image}:latest back at ${target.version} (${short(img.version.digest)})${from ? `, was ${img.latestVersion ?? short(from)}` : ''}`,
        { irreversible: true },
      ),
    );
  }
  return { kind: 'rollback', version: target.version.text, gates, verdict: summarizeGates(gates), steps };
}

/**
 * Abandon: the drafts-only undo of a release that will not ship. Refused once anything is
 * public (a published release, a merged PR, latest moved).
 */
export function planAbandon(config: ReleaseConfig, obs: Observations): Plan {
  const tag = formatTag(obs.version, config.tagPrefix);
  if (obs.release.state === 'published') {
    throw new ReleaseError(
      'ABANDON_REFUSED',
      `release ${tag} is published; a published release is never deleted (ship a new patch version instead)`,
    );
  }
  if (obs.pullRequest.state === 'merged') {
    throw new ReleaseError(
      'ABANDON_REFUSED',
      `PR #${obs.pullRequest.number} is merged; abandon only undoes drafts`,
    );
  }
  const moved = obs.images.find(
    (i) => i.version.state === 'found' && i.latest.state === 'found' && i.latest.digest === i.version.digest,
  );
  if (moved) {
    throw new ReleaseError(
      'ABANDON_REFUSED',
      `${moved.image}:latest already points at ${obs.version}; roll back first`,
    );
  }
  for (const g of [obs.release, obs.pullRequest, obs.versionTag]) {
    if (g.state === 'error') {
      throw new ReleaseError(
        'ABANDON_REFUSED',
        `could not look (${g.code}): ${g.message}; nothing was changed`,
      );
    }
  }
  const steps: PlannedStep[] = [];
  if (obs.release.state === 'draft') {
    steps.push(
      planned(
        { kind: 'delete-draft-release', releaseId: obs.release.id, tag },
        false,
        `delete draft release ${tag}`,
      ),
    );
  }
  if (obs.versionTag.state === 'found') {
    steps.push(
      planned({ kind: 'delete-tag', tag }, false, `delete tag ${tag} (it has no published release)`),
    );
  }
  const pr = obs.pullRequest;
  if (pr.state === 'open') {
    steps.push(
      planned(
        {
          kind: 'close-pr',
          number: pr.number,
          head: pr.head,
          base: pr.base,
          comment: `Release ${obs.version} abandoned with relkit.`,
        },
        false,
        `close PR #${pr.number} with a comment`,
      ),
    );
  }
  const branch = releaseBranchName(config, obs.version);
  if (pr.state !== 'missing')
    steps.push(planned({ kind: 'delete-branch', branch }, false, `delete branch ${branch}`));
  return { kind: 'abandon', version: obs.version.text, gates: [], verdict: 'pass', steps };
}
