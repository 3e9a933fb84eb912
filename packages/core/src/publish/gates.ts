import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import { couldNotLook, type Evidence, type Gate, type GateStatus } from '../engine/gates.js';
import { pullRequestGates } from '../promote/gates.js';
import { formatTag, nextCandidate, type ReleaseVersion } from '../version.js';
import type { PublishKind, PublishObservations } from './observe.js';
import type { ChangelogOps } from './ports.js';

/**
 * The gates of a publish: what must hold before the executor may finalize, tag, draft and
 * dispatch. Pure functions of the observations, in the engine's one gate shape.
 */
export type PublishGateId =
  | 'version'
  | 'release-branch'
  | 'candidate-tag'
  | 'changelog'
  | 'pr-open'
  | 'pr-not-draft'
  | 'pr-checks'
  | 'release-not-published'
  | 'version-tag'
  | 'built-from'
  | 'smoke-configured';

/** One gate of a publish: the engine's gate shape, with publish's own ids. */
export type PublishGate = Gate<PublishGateId>;

/** A publish gate's result. */
export function gate(
  id: PublishGateId,
  title: string,
  status: GateStatus,
  reason: string,
  evidence: Evidence[] = [],
): PublishGate {
  return { id, title, status, reason, evidence };
}

const short = (sha: string) => sha.slice(0, 7);

/** The version gate; `version` is set when it passes (a final X.Y.Z). */
export function versionGate(obs: PublishObservations): { gate: PublishGate; version?: ReleaseVersion } {
  const title = 'version X.Y.Z';
  const v = obs.version;
  if (v.candidate !== undefined) {
    return {
      gate: gate(
        'version',
        title,
        'fail',
        `${obs.version} is a candidate; publish takes the base version X.Y.Z (add --candidate to cut the next -rcN)`,
      ),
    };
  }
  return { gate: gate('version', title, 'pass', v.text), version: v };
}

export function branchGate(config: ReleaseConfig, obs: PublishObservations): PublishGate {
  const b = obs.branch;
  const title = 'release branch';
  const name = releaseBranchName(config, obs.version);
  if (b.state === 'error') return gate('release-branch', title, 'pending', couldNotLook(b));
  if (b.state === 'missing') {
    return gate(
      'release-branch',
      title,
      'fail',
      `branch ${name} does not exist; did you run \`just prepare-release ${obs.version}\`?`,
    );
  }
  return gate('release-branch', title, 'pass', `${name} at ${short(b.sha)}`, [
    { label: 'head', value: b.sha },
  ]);
}

type ChangelogState = ReturnType<ChangelogOps['sectionState']>;

export function changelogGate(
  config: ReleaseConfig,
  obs: PublishObservations,
  state: ChangelogState | undefined,
): PublishGate {
  const f = obs.changelog;
  const title = `${config.changelog} has ## [${obs.version}] - TBD`;
  if (f.state === 'error') return gate('changelog', title, 'pending', couldNotLook(f));
  if (f.state === 'missing')
    return gate('changelog', title, 'fail', `${config.changelog} is not on ${f.ref}`);
  switch (state) {
    case 'frozen':
      return gate('changelog', title, 'pass', `## [${obs.version}] - TBD is ready to be dated`);
    case 'dated':
      return obs.kind === 'final'
        ? gate('changelog', title, 'pass', `${obs.version} is already dated (resuming a publish)`)
        : gate(
            'changelog',
            title,
            'fail',
            `${obs.version} is already finalized; candidates come before the final release`,
          );
    case 'missing':
      return gate(
        'changelog',
        title,
        'fail',
        `${config.changelog} has no ## [${obs.version}] section; freeze it first (just prepare-release ${obs.version})`,
      );
    default:
      return gate(
        'changelog',
        title,
        'fail',
        `the ## [${obs.version}] heading of ${config.changelog} is neither "- TBD" nor dated; fix it by hand`,
      );
  }
}

/** No CHANGELOG check without a branch to read it from: the branch check already says why. */
export function changelogGates(
  config: ReleaseConfig,
  obs: PublishObservations,
  state: ChangelogState | undefined,
): PublishGate[] {
  return obs.branch.state === 'found' ? [changelogGate(config, obs, state)] : [];
}

export function candidateTagGate(
  config: ReleaseConfig,
  obs: PublishObservations,
  v: ReleaseVersion,
): PublishGate {
  const title = 'a release candidate was published';
  const list = obs.candidateTagList;
  if (!Array.isArray(list)) {
    const e = list as Exclude<typeof list, readonly string[]>;
    return gate('candidate-tag', title, 'pending', couldNotLook(e));
  }
  const tags = list as readonly string[];
  let next: ReleaseVersion;
  try {
    next = nextCandidate(v, tags, config.tagPrefix);
  } catch (e) {
    return gate('candidate-tag', title, 'fail', (e as Error).message);
  }
  const n = (next.candidate ?? 1) - 1;
  if (n === 0) {
    return gate(
      'candidate-tag',
      title,
      'fail',
      `no RC tags found for ${obs.version}; publish at least one candidate first: release-cli publish ${obs.version} --candidate`,
    );
  }
  return gate(
    'candidate-tag',
    title,
    'pass',
    `${formatTag(obs.version, config.tagPrefix)}-rc${n} is the newest candidate`,
    [{ label: 'candidates', value: String(n) }],
  );
}

export function releaseGate(obs: PublishObservations, tag: string): PublishGate {
  const r = obs.release;
  const title = 'no published release for the tag';
  if (r.state === 'error') return gate('release-not-published', title, 'pending', couldNotLook(r));
  if (r.state === 'published') {
    return gate(
      'release-not-published',
      title,
      'fail',
      `release ${tag} is already published; published releases are immutable, ship a patch version instead`,
      [{ label: 'release', value: r.tag, url: r.url }],
    );
  }
  return r.state === 'draft'
    ? gate('release-not-published', title, 'pass', `draft ${tag} exists (resuming a publish)`, [
        { label: 'release', value: r.tag, url: r.url },
      ])
    : gate('release-not-published', title, 'pass', `no release for ${tag} yet`);
}

/**
 * Where the X.Y.Z tag stands. Tags are never moved: a tag that exists must already mark a
 * finalized commit of this version (the retry path), anything else is an error to resolve by hand.
 */
export function versionTagGate(
  config: ReleaseConfig,
  obs: PublishObservations,
  ops: ChangelogOps,
  headState: ChangelogState | undefined,
): { gate: PublishGate; taggedSha?: string } {
  const t = obs.versionTag;
  const title = 'version tag free or at the finalize commit';
  const tag = formatTag(obs.version, config.tagPrefix);
  if (t.state === 'error') return { gate: gate('version-tag', title, 'pending', couldNotLook(t)) };
  if (t.state === 'missing') return { gate: gate('version-tag', title, 'pass', `${tag} does not exist yet`) };
  const ev = [{ label: 'tag', value: `${tag} → ${t.sha}` }];
  const atHead = obs.branch.state === 'found' && obs.branch.sha === t.sha;
  const stateAtTag = atHead
    ? headState
    : obs.changelogAtTag?.state === 'found'
      ? ops.sectionState(obs.changelogAtTag.content, obs.version.text)
      : undefined;
  if (stateAtTag === 'dated') {
    return {
      gate: gate(
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
    return { gate: gate('version-tag', title, 'pending', couldNotLook(obs.changelogAtTag), ev) };
  }
  return {
    gate: gate(
      'version-tag',
      title,
      'fail',
      `${tag} already exists at ${short(t.sha)}, whose ${config.changelog} is not finalized for ${obs.version}; ` +
        'tags are never moved: delete it by hand if it is wrong, or ship a patch version',
      ev,
    ),
  };
}

export function prGates(obs: PublishObservations, kind: PublishKind): PublishGate[] {
  // Approval is collected at promote (the finalize commit would dismiss it anyway); candidates
  // may come from a draft PR. Mergeability is promote's concern too.
  const wanted: PublishGateId[] =
    kind === 'final' ? ['pr-open', 'pr-not-draft', 'pr-checks'] : ['pr-open', 'pr-checks'];
  const gates = pullRequestGates({ requireApproval: false, allowNoChecks: true }, obs);
  return gates
    .filter((g): g is PublishGate & Gate<'pr-open' | 'pr-not-draft' | 'pr-checks'> =>
      (wanted as string[]).includes(g.id),
    )
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

export function smokeConfiguredGate(config: ReleaseConfig): PublishGate {
  return config.smoke
    ? gate('smoke-configured', 'smoke test configured', 'pass', `downstream ${config.smoke.repository}`)
    : gate(
        'smoke-configured',
        'smoke test configured',
        'fail',
        'release.config.json has no "smoke" repository; there is nothing to dispatch',
      );
}

export function draftExistsGate(obs: PublishObservations, tag: string): PublishGate {
  const r = obs.release;
  const title = 'draft release exists';
  if (r.state === 'error') return gate('release-not-published', title, 'pending', couldNotLook(r));
  if (r.state === 'missing')
    return gate('release-not-published', title, 'fail', `no draft release ${tag}; run publish first`);
  if (r.state === 'published') {
    return gate(
      'release-not-published',
      title,
      'fail',
      `release ${tag} is already published (promoted); nothing to smoke-test`,
    );
  }
  return gate('release-not-published', title, 'pass', `draft ${tag}`, [
    { label: 'release', value: r.tag, url: r.url },
  ]);
}

/**
 * The commit this run's images were built (and signed) from must be the commit the tag marks:
 * promote's provenance gate compares the signing certificate's source commit with the tag's.
 * `tagSha` is the commit the plan would tag, or undefined when it is still to be made (the
 * finalize commit of a final release whose CHANGELOG is not dated yet).
 */
export function builtFromGate(
  config: ReleaseConfig,
  obs: PublishObservations,
  builtFrom: string,
  tagSha: string | undefined,
): PublishGate {
  // Full commit ids: the reader compares them with the run's and the branch's.
  const title = 'the commit to tag is the commit this run built';
  const tag = formatTag(obs.version, config.tagPrefix);
  const branch = releaseBranchName(config, obs.version);
  const ev: Evidence[] = [{ label: 'built from', value: builtFrom }];
  const again = `dispatch the publish workflow again on ${branch} after the finalize run`;
  if (tagSha === undefined) {
    if (obs.branch.state === 'error') return gate('built-from', title, 'pending', couldNotLook(obs.branch));
    if (obs.branch.state === 'missing')
      return gate('built-from', title, 'fail', `${branch} does not exist`, ev);
    const head = obs.branch.sha;
    return gate(
      'built-from',
      title,
      'fail',
      `${tag} would mark a new finalize commit on ${branch} (its head ${head} does not have ${config.changelog} dated), ` +
        `but this run built ${builtFrom}: its images would not match the tag. ` +
        `Run the finalize stage first (publish ${obs.version} --stage finalize), then ${again}`,
      [...ev, { label: 'head', value: head }],
    );
  }
  if (tagSha === builtFrom) return gate('built-from', title, 'pass', `${tag} marks ${builtFrom}`, ev);
  return gate(
    'built-from',
    title,
    'fail',
    `${tag} would mark ${tagSha} (the finalize commit), but this run built ${builtFrom}: ` +
      `its images would not match the tag; ${again} (that run builds ${tagSha})`,
    [...ev, { label: 'to tag', value: tagSha }],
  );
}
