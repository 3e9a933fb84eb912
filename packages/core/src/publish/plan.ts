import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import { pullRequestGates, type Evidence, type GateResult, type GateStatus } from '../gates.js';
import { nextCandidate, parseVersion, type ReleaseVersion } from '../version.js';
import type { PublishKind, PublishObservations } from './observe.js';
import type { ChangelogOps } from './ports.js';

export type PublishCheckId =
  | 'version'
  | 'release-branch'
  | 'candidate-tag'
  | 'changelog'
  | 'pr-open'
  | 'pr-not-draft'
  | 'pr-checks'
  | 'release-not-published'
  | 'version-tag'
  | 'smoke-configured';

/** One validation of a publish: the same shape as a promote gate, with publish's own ids. */
export interface PublishCheck extends Omit<GateResult, 'id'> {
  readonly id: PublishCheckId;
}

/** The event type and payload keys the origin's smoke-test receiver understands. */
export const SMOKE_EVENT_TYPE = 'smoke-test-trigger';

export type PublishStep =
  /** Dates the frozen `## [X.Y.Z] - TBD` section through an API commit, then reads it back. */
  | {
      readonly kind: 'finalize-changelog';
      readonly branch: string;
      readonly path: string;
      readonly version: string;
      readonly date: string;
      /** The head the change is computed against; the commit is refused if the branch moved. */
      readonly parentSha: string;
    }
  /** A lightweight tag; `sha: null` means "the commit the finalize step produced". */
  | { readonly kind: 'create-tag'; readonly tag: string; readonly sha: string | null }
  | {
      readonly kind: 'create-draft-release';
      readonly tag: string;
      readonly name: string;
      readonly version: string;
      readonly prerelease: boolean;
    }
  | {
      readonly kind: 'dispatch-smoke';
      readonly repository: string;
      readonly tag: string;
      readonly releaseKind: PublishKind;
      readonly correlationId: string;
      readonly run: PublishRun;
      /** The tagged commit (source_sha); null: the one the tag step of this run marks. */
      readonly sha: string | null;
    };

export interface PublishPlannedStep {
  readonly id: string;
  readonly step: PublishStep;
  /** Publish writes nothing irreversible (the release stays a draft); kept for a shared shape. */
  readonly irreversible: boolean;
  readonly bestEffort: boolean;
  /** Already done according to the observations (re-checked by the executor). */
  readonly done: boolean;
  readonly description: string;
}

/** The CI run (or local invocation) doing the publish, for the smoke-test payload. */
export interface PublishRun {
  /** GITHUB_RUN_ID in Actions; any unique id elsewhere. */
  readonly id: string;
  readonly url?: string | undefined;
  readonly workflow?: string | undefined;
}

/**
 * Which part of a publish to run. CI builds its images between the two halves: `release`
 * (finalize, tag, draft release) first, so images are built from the tagged finalize commit,
 * then `smoke` (the dispatch) once the images are pushed and signed. `all` does both at once.
 */
export type PublishStage = 'all' | 'release' | 'smoke';

export interface PublishOptions {
  readonly run: PublishRun;
  readonly stage?: PublishStage | undefined;
  /** Release date, YYYY-MM-DD in UTC; the observation time's UTC date by default. */
  readonly date?: string | undefined;
}

export interface PublishPlan {
  readonly kind: 'publish' | 'candidate';
  /** The base version X.Y.Z. */
  readonly version: string;
  /** What is published: `X.Y.Z`, or `X.Y.Z-rcN` for a candidate (with the tag prefix). */
  readonly tag: string;
  /** The tag without the tag prefix, as images are tagged: `X.Y.Z` or `X.Y.Z-rcN`. */
  readonly publishVersion: string;
  readonly releaseKind: PublishKind;
  readonly stage: PublishStage;
  readonly checks: readonly PublishCheck[];
  readonly verdict: GateStatus;
  readonly steps: readonly PublishPlannedStep[];
  /** `<repo>:<run id>:<tag>`: binds the downstream smoke run to this publish. */
  readonly correlationId: string;
  /** The release notes as they read now (the executor re-reads them from the finalize commit). */
  readonly notesPreview?: string | undefined;
}

export function publishStepId(step: PublishStep): string {
  switch (step.kind) {
    case 'finalize-changelog':
      return `${step.kind} ${step.path}@${step.branch}`;
    case 'create-tag':
    case 'create-draft-release':
      return `${step.kind} ${step.tag}`;
    case 'dispatch-smoke':
      return `${step.kind} ${step.repository}@${step.tag}`;
  }
}

function planned(step: PublishStep, done: boolean, description: string): PublishPlannedStep {
  return { id: publishStepId(step), step, done, description, irreversible: false, bestEffort: false };
}

function check(
  id: PublishCheckId,
  title: string,
  status: GateStatus,
  reason: string,
  evidence: Evidence[] = [],
): PublishCheck {
  return { id, title, status, reason, evidence };
}

const couldNotLook = (o: { code: string; message: string }) => `could not look (${o.code}): ${o.message}`;
const short = (sha: string) => sha.slice(0, 7);

/** `<repo>:<run id>:<tag>`, the origin's correlation id for the smoke-test dispatch. */
export function correlationId(repository: string, runId: string, tag: string): string {
  return `${repository}:${runId}:${tag}`;
}

function versionCheck(obs: PublishObservations): { check: PublishCheck; version?: ReleaseVersion } {
  const title = 'version X.Y.Z';
  let v: ReleaseVersion;
  try {
    v = parseVersion(obs.version);
  } catch (e) {
    return { check: check('version', title, 'fail', (e as Error).message) };
  }
  if (v.candidate !== undefined) {
    return {
      check: check(
        'version',
        title,
        'fail',
        `${obs.version} is a candidate; publish takes the base version X.Y.Z (add --candidate to cut the next -rcN)`,
      ),
    };
  }
  return { check: check('version', title, 'pass', obs.version), version: v };
}

function branchCheck(config: ReleaseConfig, obs: PublishObservations): PublishCheck {
  const b = obs.branch;
  const title = 'release branch';
  const name = releaseBranchName(config, obs.version);
  if (b.state === 'error') return check('release-branch', title, 'pending', couldNotLook(b));
  if (b.state === 'missing') {
    return check(
      'release-branch',
      title,
      'fail',
      `branch ${name} does not exist; did you run \`just prepare-release ${obs.version}\`?`,
    );
  }
  return check('release-branch', title, 'pass', `${name} at ${short(b.sha)}`, [
    { label: 'head', value: b.sha },
  ]);
}

type ChangelogState = ReturnType<ChangelogOps['sectionState']>;

function changelogCheck(
  config: ReleaseConfig,
  obs: PublishObservations,
  state: ChangelogState | undefined,
): PublishCheck {
  const f = obs.changelog;
  const title = `${config.changelog} has ## [${obs.version}] - TBD`;
  if (f.state === 'error') return check('changelog', title, 'pending', couldNotLook(f));
  if (f.state === 'missing')
    return check('changelog', title, 'fail', `${config.changelog} is not on ${f.ref}`);
  switch (state) {
    case 'frozen':
      return check('changelog', title, 'pass', `## [${obs.version}] - TBD is ready to be dated`);
    case 'dated':
      return obs.kind === 'final'
        ? check('changelog', title, 'pass', `${obs.version} is already dated (resuming a publish)`)
        : check(
            'changelog',
            title,
            'fail',
            `${obs.version} is already finalized; candidates come before the final release`,
          );
    case 'missing':
      return check(
        'changelog',
        title,
        'fail',
        `${config.changelog} has no ## [${obs.version}] section; freeze it first (just prepare-release ${obs.version})`,
      );
    default:
      return check(
        'changelog',
        title,
        'fail',
        `the ## [${obs.version}] heading of ${config.changelog} is neither "- TBD" nor dated; fix it by hand`,
      );
  }
}

/** No CHANGELOG check without a branch to read it from: the branch check already says why. */
function changelogChecks(
  config: ReleaseConfig,
  obs: PublishObservations,
  state: ChangelogState | undefined,
): PublishCheck[] {
  return obs.branch.state === 'found' ? [changelogCheck(config, obs, state)] : [];
}

function candidateTagCheck(config: ReleaseConfig, obs: PublishObservations, v: ReleaseVersion): PublishCheck {
  const title = 'a release candidate was published';
  const list = obs.candidateTagList;
  if (!Array.isArray(list)) {
    const e = list as Exclude<typeof list, readonly string[]>;
    return check('candidate-tag', title, 'pending', couldNotLook(e));
  }
  const tags = list as readonly string[];
  let next: ReleaseVersion;
  try {
    next = nextCandidate(v, tags, config.tagPrefix);
  } catch (e) {
    return check('candidate-tag', title, 'fail', (e as Error).message);
  }
  const n = (next.candidate ?? 1) - 1;
  if (n === 0) {
    return check(
      'candidate-tag',
      title,
      'fail',
      `no RC tags found for ${obs.version}; publish at least one candidate first: release-cli publish ${obs.version} --candidate`,
    );
  }
  return check(
    'candidate-tag',
    title,
    'pass',
    `${config.tagPrefix}${obs.version}-rc${n} is the newest candidate`,
    [{ label: 'candidates', value: String(n) }],
  );
}

function releaseCheck(obs: PublishObservations, tag: string): PublishCheck {
  const r = obs.release;
  const title = 'no published release for the tag';
  if (r.state === 'error') return check('release-not-published', title, 'pending', couldNotLook(r));
  if (r.state === 'published') {
    return check(
      'release-not-published',
      title,
      'fail',
      `release ${tag} is already published; published releases are immutable, ship a patch version instead`,
      [{ label: 'release', value: r.tag, url: r.url }],
    );
  }
  return r.state === 'draft'
    ? check('release-not-published', title, 'pass', `draft ${tag} exists (resuming a publish)`, [
        { label: 'release', value: r.tag, url: r.url },
      ])
    : check('release-not-published', title, 'pass', `no release for ${tag} yet`);
}

/**
 * Where the X.Y.Z tag stands. Tags are never moved: a tag that exists must already mark a
 * finalized commit of this version (the retry path), anything else is an error to resolve by hand.
 */
function versionTagCheck(
  config: ReleaseConfig,
  obs: PublishObservations,
  ops: ChangelogOps,
  headState: ChangelogState | undefined,
): { check: PublishCheck; taggedSha?: string } {
  const t = obs.versionTag;
  const title = 'version tag free or at the finalize commit';
  const tag = `${config.tagPrefix}${obs.version}`;
  if (t.state === 'error') return { check: check('version-tag', title, 'pending', couldNotLook(t)) };
  if (t.state === 'missing')
    return { check: check('version-tag', title, 'pass', `${tag} does not exist yet`) };
  const ev = [{ label: 'tag', value: `${tag} → ${t.sha}` }];
  const atHead = obs.branch.state === 'found' && obs.branch.sha === t.sha;
  const stateAtTag = atHead
    ? headState
    : obs.changelogAtTag?.state === 'found'
      ? ops.sectionState(obs.changelogAtTag.content, obs.version)
      : undefined;
  if (stateAtTag === 'dated') {
    return {
      check: check(
        'version-tag',
        title,
        'pass',
        `${tag} already marks the finalized commit ${short(t.sha)}`,
        ev,
      ),
      taggedSha: t.sha,
    };
  }
  if (obs.changelogAtTag?.state === 'error') {
    return { check: check('version-tag', title, 'pending', couldNotLook(obs.changelogAtTag), ev) };
  }
  return {
    check: check(
      'version-tag',
      title,
      'fail',
      `${tag} already exists at ${short(t.sha)}, whose ${config.changelog} is not finalized for ${obs.version}; ` +
        'tags are never moved: delete it by hand if it is wrong, or ship a patch version',
      ev,
    ),
  };
}

function prChecks(obs: PublishObservations, kind: PublishKind): PublishCheck[] {
  // Approval is collected at promote (the finalize commit would dismiss it anyway); candidates
  // may come from a draft PR. Mergeability is promote's concern too.
  const wanted: PublishCheckId[] =
    kind === 'final' ? ['pr-open', 'pr-not-draft', 'pr-checks'] : ['pr-open', 'pr-checks'];
  const gates = pullRequestGates({ requireApproval: false } as ReleaseConfig, {
    version: obs.version,
    observedAt: obs.observedAt,
    images: [],
    release: { state: 'missing' },
    smoke: { state: 'not-configured' },
    pullRequest: obs.pullRequest,
    versionTag: { state: 'missing', tag: '' },
    candidateTags: [],
  });
  return gates
    .filter((g): g is GateResult & { id: PublishCheckId } => (wanted as string[]).includes(g.id))
    .map((g) => {
      if (g.id === 'pr-open' && obs.pullRequest.state === 'merged') {
        return {
          ...g,
          status: 'fail' as const,
          reason: `#${obs.pullRequest.number} is already merged: this version was released; publish the next patch version`,
        };
      }
      return g;
    });
}

/** The overall verdict of publish checks (the same rule as promote's summarizeGates). */
export function verdictOf(checks: readonly { readonly status: GateStatus }[]): GateStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'pending')) return 'pending';
  return 'pass';
}

function smokeStep(
  repository: string,
  tag: string,
  releaseKind: PublishKind,
  corr: string,
  run: PublishRun,
  sha: string | null,
  done: boolean,
): PublishPlannedStep {
  return planned(
    { kind: 'dispatch-smoke', repository, tag, releaseKind, correlationId: corr, run, sha },
    done,
    `dispatch ${SMOKE_EVENT_TYPE} to ${repository} (correlation ${corr})`,
  );
}

/** A downstream release for the tag exists: the dispatch evidently happened and was acted on. */
function smokeDone(obs: PublishObservations): boolean {
  const s = obs.smoke;
  return s.state === 'draft' || s.state === 'prerelease' || s.state === 'published';
}

function smokeConfiguredCheck(config: ReleaseConfig): PublishCheck {
  return config.smoke
    ? check('smoke-configured', 'smoke test configured', 'pass', `downstream ${config.smoke.repository}`)
    : check(
        'smoke-configured',
        'smoke test configured',
        'fail',
        'release.config.json has no "smoke" repository; there is nothing to dispatch',
      );
}

function draftExistsCheck(obs: PublishObservations, tag: string): PublishCheck {
  const r = obs.release;
  const title = 'draft release exists';
  if (r.state === 'error') return check('release-not-published', title, 'pending', couldNotLook(r));
  if (r.state === 'missing')
    return check('release-not-published', title, 'fail', `no draft release ${tag}; run publish first`);
  if (r.state === 'published') {
    return check(
      'release-not-published',
      title,
      'fail',
      `release ${tag} is already published (promoted); nothing to smoke-test`,
    );
  }
  return check('release-not-published', title, 'pass', `draft ${tag}`, [
    { label: 'release', value: r.tag, url: r.url },
  ]);
}

function utcDate(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * The publish plan (`release-cli publish X.Y.Z`): every validation, then the idempotent steps
 * finalize CHANGELOG → tag at the finalize commit → draft release → smoke dispatch. Pure.
 * Nothing here moves `latest` or publishes the release: that is promote's job alone.
 */
export function planPublish(
  config: ReleaseConfig,
  obs: PublishObservations,
  ops: ChangelogOps,
  options: PublishOptions,
): PublishPlan {
  const tag = `${config.tagPrefix}${obs.version}`;
  const corr = correlationId(config.repository, options.run.id, tag);
  const vc = versionCheck(obs);
  const stage = options.stage ?? 'all';
  const base = {
    kind: 'publish' as const,
    version: obs.version,
    tag,
    publishVersion: obs.version,
    releaseKind: 'final' as const,
    stage,
    correlationId: corr,
  };
  if (!vc.version) return { ...base, checks: [vc.check], verdict: 'fail', steps: [] };
  const headState =
    obs.changelog.state === 'found' ? ops.sectionState(obs.changelog.content, obs.version) : undefined;
  const tc = versionTagCheck(config, obs, ops, headState);
  if (stage === 'smoke') {
    // The second half: the release exists (tag at a finalized commit, draft release); announce it.
    const checks: PublishCheck[] = [
      vc.check,
      obs.versionTag.state === 'missing'
        ? check(
            'version-tag',
            'version tag at the finalize commit',
            'fail',
            `${tag} does not exist; run publish first`,
          )
        : tc.check,
      draftExistsCheck(obs, tag),
      smokeConfiguredCheck(config),
    ];
    const steps =
      config.smoke && tc.taggedSha
        ? [smokeStep(config.smoke.repository, tag, 'final', corr, options.run, tc.taggedSha, smokeDone(obs))]
        : [];
    return { ...base, checks, verdict: verdictOf(checks), steps };
  }
  const checks: PublishCheck[] = [
    vc.check,
    branchCheck(config, obs),
    candidateTagCheck(config, obs, vc.version),
    ...changelogChecks(config, obs, headState),
    ...prChecks(obs, 'final'),
    releaseCheck(obs, tag),
    tc.check,
  ];
  const steps: PublishPlannedStep[] = [];
  const branch = releaseBranchName(config, obs.version);
  const head = obs.branch.state === 'found' ? obs.branch.sha : '';
  const date = options.date ?? utcDate(obs.observedAt);
  const finalized = headState === 'dated' || tc.taggedSha !== undefined;
  steps.push(
    planned(
      {
        kind: 'finalize-changelog',
        branch,
        path: config.changelog,
        version: obs.version,
        date,
        parentSha: head,
      },
      finalized,
      `date ## [${obs.version}] in ${config.changelog} as ${date} (API commit on ${branch}, then read back)`,
    ),
  );
  // The commit to tag: the one already tagged, the head when already finalized, else the finalize commit.
  const tagSha = tc.taggedSha ?? (headState === 'dated' ? head : null);
  steps.push(
    planned(
      { kind: 'create-tag', tag, sha: tagSha },
      tc.taggedSha !== undefined,
      `create lightweight tag ${tag} at ${tagSha ? short(tagSha) : 'the finalize commit'}`,
    ),
  );
  steps.push(
    planned(
      { kind: 'create-draft-release', tag, name: tag, version: obs.version, prerelease: false },
      obs.release.state === 'draft',
      `create draft GitHub release ${tag} with the ${config.changelog} notes`,
    ),
  );
  if (config.smoke && stage === 'all') {
    steps.push(smokeStep(config.smoke.repository, tag, 'final', corr, options.run, null, smokeDone(obs)));
  }
  const notesPreview =
    obs.changelog.state === 'found' && headState !== undefined && headState !== 'missing'
      ? ops.notes(obs.changelog.content, obs.version)
      : undefined;
  return { ...base, checks, verdict: verdictOf(checks), steps, notesPreview };
}

/**
 * `release-cli publish X.Y.Z --candidate`: the next `X.Y.Z-rcN` tag at the release branch head,
 * then the smoke dispatch. A newest candidate already at the head is resumed, not re-numbered.
 */
export function planCandidate(
  config: ReleaseConfig,
  obs: PublishObservations,
  ops: ChangelogOps,
  options: PublishOptions,
): PublishPlan {
  const vc = versionCheck(obs);
  const stage = options.stage ?? 'all';
  const pending = `${config.tagPrefix}${obs.version}-rc?`;
  const fallback = {
    kind: 'candidate' as const,
    version: obs.version,
    tag: pending,
    publishVersion: pending.slice(config.tagPrefix.length),
    releaseKind: 'candidate' as const,
    stage,
    correlationId: correlationId(config.repository, options.run.id, pending),
  };
  if (!vc.version) return { ...fallback, checks: [vc.check], verdict: 'fail', steps: [] };
  if (stage === 'smoke') {
    // The second half of a candidate: announce the newest candidate (the one CI just built).
    const n = obs.newestCandidate;
    const title = 'newest release candidate';
    const tc =
      n === undefined || n.state === 'missing'
        ? check(
            'candidate-tag',
            title,
            'fail',
            `no candidate of ${obs.version} exists; run publish --candidate first`,
          )
        : n.state === 'error'
          ? check('candidate-tag', title, 'pending', couldNotLook(n))
          : check('candidate-tag', title, 'pass', `${n.tag} at ${short(n.sha)}`);
    const checks = [vc.check, tc, smokeConfiguredCheck(config)];
    if (n?.state !== 'found') return { ...fallback, checks, verdict: verdictOf(checks), steps: [] };
    const corr = correlationId(config.repository, options.run.id, n.tag);
    const steps = config.smoke
      ? [smokeStep(config.smoke.repository, n.tag, 'candidate', corr, options.run, n.sha, false)]
      : [];
    return {
      ...fallback,
      tag: n.tag,
      publishVersion: n.tag.slice(config.tagPrefix.length),
      correlationId: corr,
      checks,
      verdict: verdictOf(checks),
      steps,
    };
  }
  const headState =
    obs.changelog.state === 'found' ? ops.sectionState(obs.changelog.content, obs.version) : undefined;
  const checks: PublishCheck[] = [
    vc.check,
    branchCheck(config, obs),
    ...changelogChecks(config, obs, headState),
    ...prChecks(obs, 'candidate'),
  ];
  const head = obs.branch.state === 'found' ? obs.branch.sha : undefined;
  // Which RC: resume the newest when it already marks the head, else one more than the highest.
  let tag: string | undefined;
  let resumed = false;
  const list = obs.candidateTagList;
  const title = 'next release candidate';
  if (!Array.isArray(list)) {
    checks.push(
      check('candidate-tag', title, 'pending', couldNotLook(list as Exclude<typeof list, readonly string[]>)),
    );
  } else {
    try {
      const next = nextCandidate(vc.version, list as readonly string[], config.tagPrefix);
      const n = obs.newestCandidate;
      if (n?.state === 'found' && head !== undefined && n.sha === head) {
        tag = n.tag;
        resumed = true;
        checks.push(check('candidate-tag', title, 'pass', `${tag} already marks ${short(head)} (resuming)`));
      } else if (n?.state === 'error') {
        checks.push(check('candidate-tag', title, 'pending', couldNotLook(n)));
      } else {
        tag = `${config.tagPrefix}${next.text}`;
        checks.push(check('candidate-tag', title, 'pass', `${tag} is next`));
      }
    } catch (e) {
      checks.push(check('candidate-tag', title, 'fail', (e as Error).message));
    }
  }
  const verdict = verdictOf(checks);
  if (tag === undefined || head === undefined) return { ...fallback, checks, verdict, steps: [] };
  const corr = correlationId(config.repository, options.run.id, tag);
  const steps: PublishPlannedStep[] = [
    planned(
      { kind: 'create-tag', tag, sha: head },
      resumed,
      `create lightweight tag ${tag} at ${short(head)}`,
    ),
  ];
  if (config.smoke && stage === 'all') {
    steps.push(smokeStep(config.smoke.repository, tag, 'candidate', corr, options.run, head, false));
  }
  return {
    kind: 'candidate',
    version: obs.version,
    tag,
    publishVersion: tag.slice(config.tagPrefix.length),
    releaseKind: 'candidate',
    stage,
    checks,
    verdict,
    steps,
    correlationId: corr,
  };
}
