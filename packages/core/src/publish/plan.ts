import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import type { Plan, PlannedStep } from '../engine/plan.js';
import { couldNotLook, summarizeGates } from '../engine/gates.js';
import { formatTag, nextCandidate, parseTag } from '../version.js';
import {
  branchGate,
  builtFromGate,
  candidateTagGate,
  changelogGates,
  draftExistsGate,
  gate,
  prGates,
  releaseGate,
  smokeConfiguredGate,
  versionGate,
  versionTagGate,
  type PublishGate,
} from './gates.js';
import type { PublishKind, PublishObservations } from './observe.js';
import type { ChangelogOps } from './ports.js';

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
      /** Paths that get an exact copy of the finalized CHANGELOG, in the same commit. */
      readonly mirrors?: readonly string[];
      /** Files whose pattern's first capture group becomes the version, in the same commit. */
      readonly versionFiles?: readonly { readonly path: string; readonly pattern: string }[];
      /**
       * The commit this run's images were built from (--built-from): the step must then find the
       * finalize commit done at exactly that commit, and never commit (a new commit would carry
       * the tag, and the images were not built from it).
       */
      readonly builtFrom?: string;
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

/** A step of a publish plan (publish writes nothing irreversible: the release stays a draft). */
export type PublishPlannedStep = PlannedStep<PublishStep>;

/** The CI run (or local invocation) doing the publish, for the smoke-test payload. */
export interface PublishRun {
  /** GITHUB_RUN_ID in Actions; any unique id elsewhere. */
  readonly id: string;
  readonly url?: string | undefined;
  readonly workflow?: string | undefined;
}

/**
 * Which part of a publish to run. `finalize` (a final release only): validate and date the
 * CHANGELOG (with its mirrors and version files) by API commit, nothing else, so that CI builds
 * and signs the finalize commit itself (promote's provenance gate wants the tag's commit).
 * `release` (finalize when not done, tag, draft release) once the images are built and signed,
 * then `smoke` (the dispatch). `all` does everything at once.
 */
export type PublishStage = 'all' | 'release' | 'smoke' | 'finalize';

export const PUBLISH_STAGES: readonly PublishStage[] = ['all', 'release', 'smoke', 'finalize'];

export interface PublishOptions {
  readonly run: PublishRun;
  readonly stage?: PublishStage | undefined;
  /**
   * The commit the run's images were built and signed from (CI: github.sha). When given, the
   * `release` and `all` stages refuse unless the commit they would tag is this one.
   */
  readonly builtFrom?: string | undefined;
  /** Release date, YYYY-MM-DD in UTC; the observation time's UTC date by default. */
  readonly date?: string | undefined;
}

/** A publish plan: the engine's plan with publish's steps and gates, and what it publishes. */
export interface PublishPlan extends Plan<PublishStep, 'publish' | 'candidate', PublishGate> {
  /** The base version X.Y.Z. */
  readonly version: string;
  /** What is published: `X.Y.Z`, or `X.Y.Z-rcN` for a candidate (with the tag prefix). */
  readonly tag: string;
  /** The tag without the tag prefix, as images are tagged: `X.Y.Z` or `X.Y.Z-rcN`. */
  readonly publishVersion: string;
  readonly releaseKind: PublishKind;
  readonly stage: PublishStage;
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

/** The other files the finalize commit writes, for the plan's description. */
function alsoWritten(config: ReleaseConfig): string {
  const paths = [...config.changelogMirrors, ...config.versionFiles.map((f) => f.path)];
  return paths.length > 0 ? `, with ${paths.join(', ')}` : '';
}

function planned(step: PublishStep, done: boolean, description: string): PublishPlannedStep {
  return { id: publishStepId(step), step, done, description, irreversible: false, bestEffort: false };
}

const short = (sha: string) => sha.slice(0, 7);
/** `<repo>:<run id>:<tag>`, the origin's correlation id for the smoke-test dispatch. */
export function correlationId(repository: string, runId: string, tag: string): string {
  return `${repository}:${runId}:${tag}`;
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
  const tag = formatTag(obs.version, config.tagPrefix);
  const corr = correlationId(config.repository, options.run.id, tag);
  const vc = versionGate(obs);
  const stage = options.stage ?? 'all';
  const base = {
    kind: 'publish' as const,
    version: obs.version.text,
    tag,
    publishVersion: obs.version.text,
    releaseKind: 'final' as const,
    stage,
    correlationId: corr,
  };
  if (!vc.version) return { ...base, gates: [vc.gate], verdict: 'fail', steps: [] };
  const headState =
    obs.changelog.state === 'found' ? ops.sectionState(obs.changelog.content, obs.version.text) : undefined;
  const tc = versionTagGate(config, obs, ops, headState);
  if (stage === 'smoke') {
    // The second half: the release exists (tag at a finalized commit, draft release); announce it.
    const gates: PublishGate[] = [
      vc.gate,
      obs.versionTag.state === 'missing'
        ? gate(
            'version-tag',
            'version tag at the finalize commit',
            'fail',
            `${tag} does not exist; run publish first`,
          )
        : tc.gate,
      draftExistsGate(obs, tag),
      smokeConfiguredGate(config),
    ];
    const steps =
      config.smoke && tc.taggedSha
        ? [smokeStep(config.smoke.repository, tag, 'final', corr, options.run, tc.taggedSha, smokeDone(obs))]
        : [];
    return { ...base, gates, verdict: summarizeGates(gates), steps };
  }
  const head = obs.branch.state === 'found' ? obs.branch.sha : '';
  const extras = config.changelogMirrors.length > 0 || config.versionFiles.length > 0;
  // --built-from: the tag goes on the commit the images were built from, or nowhere. With mirrors
  // or version files a dated head may still lack one; the finalize step then refuses to commit.
  const builtFrom = stage === 'finalize' ? undefined : options.builtFrom;
  const gates: PublishGate[] = [
    vc.gate,
    branchGate(config, obs),
    candidateTagGate(config, obs, vc.version),
    ...changelogGates(config, obs, headState),
    ...prGates(obs, 'final'),
    releaseGate(obs, tag),
    tc.gate,
    ...(builtFrom !== undefined
      ? [builtFromGate(config, obs, builtFrom, tc.taggedSha ?? (headState === 'dated' ? head : undefined))]
      : []),
  ];
  const steps: PublishPlannedStep[] = [];
  const branch = releaseBranchName(config, obs.version);
  const date = options.date ?? utcDate(obs.observedAt);
  // With mirrors or version files, a dated CHANGELOG alone does not show the finalize commit is
  // complete: the executor checks every file, and the tag goes on whatever commit it settles on.
  const finalized = (headState === 'dated' && !extras) || tc.taggedSha !== undefined;
  steps.push(
    planned(
      {
        kind: 'finalize-changelog',
        branch,
        path: config.changelog,
        version: obs.version.text,
        date,
        parentSha: head,
        ...(config.changelogMirrors.length > 0 ? { mirrors: config.changelogMirrors } : {}),
        ...(config.versionFiles.length > 0 ? { versionFiles: config.versionFiles } : {}),
        ...(builtFrom !== undefined ? { builtFrom } : {}),
      },
      finalized,
      `date ## [${obs.version}] in ${config.changelog} as ${date}${alsoWritten(config)} (API commit on ${branch}, then read back)`,
    ),
  );
  if (stage === 'finalize') {
    // Only the finalize commit: CI builds and signs it in a run of its own, which then tags it.
    return { ...base, gates, verdict: summarizeGates(gates), steps };
  }
  // The commit to tag: the one already tagged, the head when already finalized, else the finalize commit.
  const tagSha = tc.taggedSha ?? (headState === 'dated' && !extras ? head : null);
  steps.push(
    planned(
      { kind: 'create-tag', tag, sha: tagSha },
      tc.taggedSha !== undefined,
      `create lightweight tag ${tag} at ${tagSha ? short(tagSha) : 'the finalize commit'}`,
    ),
  );
  steps.push(
    planned(
      { kind: 'create-draft-release', tag, name: tag, version: obs.version.text, prerelease: false },
      obs.release.state === 'draft',
      `create draft GitHub release ${tag} with the ${config.changelog} notes`,
    ),
  );
  if (config.smoke && stage === 'all') {
    steps.push(smokeStep(config.smoke.repository, tag, 'final', corr, options.run, null, smokeDone(obs)));
  }
  const notesPreview =
    obs.changelog.state === 'found' && headState !== undefined && headState !== 'missing'
      ? ops.notes(obs.changelog.content, obs.version.text)
      : undefined;
  return { ...base, gates, verdict: summarizeGates(gates), steps, notesPreview };
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
  const vc = versionGate(obs);
  const stage = options.stage ?? 'all';
  const pending = `${formatTag(obs.version, config.tagPrefix)}-rc?`;
  const fallback = {
    kind: 'candidate' as const,
    version: obs.version.text,
    tag: pending,
    publishVersion: `${obs.version.text}-rc?`,
    releaseKind: 'candidate' as const,
    stage,
    correlationId: correlationId(config.repository, options.run.id, pending),
  };
  if (!vc.version) return { ...fallback, gates: [vc.gate], verdict: 'fail', steps: [] };
  if (stage === 'finalize') {
    const g = gate(
      'version',
      'stage finalize',
      'fail',
      'the finalize stage dates the CHANGELOG of a final release; a candidate is tagged at the release branch head as it is',
    );
    return { ...fallback, gates: [vc.gate, g], verdict: 'fail', steps: [] };
  }
  if (stage === 'smoke') {
    // The second half of a candidate: announce the newest candidate (the one CI just built).
    const n = obs.newestCandidate;
    const title = 'newest release candidate';
    const tc =
      n === undefined || n.state === 'missing'
        ? gate(
            'candidate-tag',
            title,
            'fail',
            `no candidate of ${obs.version} exists; run publish --candidate first`,
          )
        : n.state === 'error'
          ? gate('candidate-tag', title, 'pending', couldNotLook(n))
          : gate('candidate-tag', title, 'pass', `${n.tag} at ${short(n.sha)}`);
    const gates = [vc.gate, tc, smokeConfiguredGate(config)];
    if (n?.state !== 'found') return { ...fallback, gates, verdict: summarizeGates(gates), steps: [] };
    const corr = correlationId(config.repository, options.run.id, n.tag);
    const steps = config.smoke
      ? [smokeStep(config.smoke.repository, n.tag, 'candidate', corr, options.run, n.sha, false)]
      : [];
    return {
      ...fallback,
      tag: n.tag,
      publishVersion: parseTag(n.tag, config.tagPrefix)?.text ?? n.tag,
      correlationId: corr,
      gates,
      verdict: summarizeGates(gates),
      steps,
    };
  }
  const headState =
    obs.changelog.state === 'found' ? ops.sectionState(obs.changelog.content, obs.version.text) : undefined;
  const gates: PublishGate[] = [
    vc.gate,
    branchGate(config, obs),
    ...changelogGates(config, obs, headState),
    ...prGates(obs, 'candidate'),
  ];
  const head = obs.branch.state === 'found' ? obs.branch.sha : undefined;
  // Which RC: resume the newest when it already marks the head, else one more than the highest.
  let tag: string | undefined;
  let resumed = false;
  const list = obs.candidateTagList;
  const title = 'next release candidate';
  if (!Array.isArray(list)) {
    gates.push(
      gate('candidate-tag', title, 'pending', couldNotLook(list as Exclude<typeof list, readonly string[]>)),
    );
  } else {
    try {
      const next = nextCandidate(vc.version, list as readonly string[], config.tagPrefix);
      const n = obs.newestCandidate;
      if (n?.state === 'found' && head !== undefined && n.sha === head) {
        tag = n.tag;
        resumed = true;
        gates.push(gate('candidate-tag', title, 'pass', `${tag} already marks ${short(head)} (resuming)`));
      } else if (n?.state === 'error') {
        gates.push(gate('candidate-tag', title, 'pending', couldNotLook(n)));
      } else {
        tag = formatTag(next, config.tagPrefix);
        gates.push(gate('candidate-tag', title, 'pass', `${tag} is next`));
      }
    } catch (e) {
      gates.push(gate('candidate-tag', title, 'fail', (e as Error).message));
    }
  }
  // --built-from: the candidate tag marks the head, which must be the commit the images came from.
  if (options.builtFrom !== undefined && head !== undefined)
    gates.push(builtFromGate(config, obs, options.builtFrom, head));
  const verdict = summarizeGates(gates);
  if (tag === undefined || head === undefined) return { ...fallback, gates, verdict, steps: [] };
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
    version: obs.version.text,
    tag,
    publishVersion: parseTag(tag, config.tagPrefix)?.text ?? tag,
    releaseKind: 'candidate',
    stage,
    gates,
    verdict,
    steps,
    correlationId: corr,
  };
}
