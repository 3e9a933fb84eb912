import { freeze } from '../changelog/freeze.js';
import { sectionState } from '../changelog/publish-port.js';
import type { ReleaseConfig } from '../config.js';
import { isGitflow, releaseBranchName } from '../config.js';
import {
  couldNotLook,
  markCouldNotLook,
  type Evidence,
  type Gate,
  type GateStatus,
} from '../engine/gates.js';
import { ReleaseError } from '../errors.js';
import { compareVersions, finalVersionsOf, formatTag } from '../version.js';
import type { PrepareObservations } from './observe.js';

/**
 * The gates of a prepare: what must hold before the CHANGELOG is frozen on the integration
 * branch, release/X.Y.Z is cut from that commit and the draft release PR is opened (trunk-based,
 * integration = base: the branch is cut first and the freeze goes onto it). Pure.
 * Everything an earlier prepare already did passes as "resuming", so a re-run converges.
 */
export type PrepareGateId =
  'version' | 'integration-branch' | 'changelog' | 'release-branch' | 'version-tag' | 'release-pr';

export type PrepareGate = Gate<PrepareGateId>;

/** One prepare gate; a could-not-look is marked as such (front ends exit 1 for it, never 3). */
const gate = (
  id: PrepareGateId,
  title: string,
  status: GateStatus,
  reason: string,
  evidence: Evidence[] = [],
): PrepareGate => markCouldNotLook({ id, title, status, reason, evidence });

const short = (sha: string) => sha.slice(0, 7);

/** The state of the version's section in a CHANGELOG text; a text that does not parse is `other`. */
export function frozenState(text: string, version: string): ReturnType<typeof sectionState> {
  try {
    return sectionState(text, version);
  } catch {
    return 'other';
  }
}

/** X.Y.Z (no candidate), newer than the latest final release tag (other than X.Y.Z itself). */
export function versionGate(config: ReleaseConfig, obs: PrepareObservations): PrepareGate {
  const title = 'version newer than the latest release';
  const v = obs.version;
  if (v.candidate !== undefined)
    return gate('version', title, 'fail', `${v} is a candidate; prepare takes the base version X.Y.Z`);
  if (!Array.isArray(obs.tags))
    return gate(
      'version',
      title,
      'pending',
      couldNotLook(obs.tags as Exclude<typeof obs.tags, readonly string[]>),
    );
  const latest = finalVersionsOf(obs.tags as readonly string[], config.tagPrefix).find(
    (t) => compareVersions(t, v) !== 0,
  );
  if (latest && compareVersions(v, latest) <= 0)
    return gate(
      'version',
      title,
      'fail',
      `${v} is not newer than ${formatTag(latest, config.tagPrefix)}, the latest release; choose a higher version`,
    );
  return gate('version', title, 'pass', latest ? `${v} > ${latest}` : `${v} (the first release)`);
}

export function integrationGate(config: ReleaseConfig, obs: PrepareObservations): PrepareGate {
  const b = obs.integration;
  const title = 'integration branch';
  if (b.state === 'error') return gate('integration-branch', title, 'pending', couldNotLook(b));
  if (b.state === 'missing')
    return gate(
      'integration-branch',
      title,
      'fail',
      `branch ${config.integrationBranch} does not exist (integrationBranch in release.config.json)`,
    );
  return gate('integration-branch', title, 'pass', `${b.branch} at ${short(b.sha)}`, [
    { label: 'head', value: b.sha },
  ]);
}

/**
 * The CHANGELOG on the integration branch: Unreleased has entries to freeze as X.Y.Z (freeze's
 * own rules: no other frozen version, newer than the latest section), or X.Y.Z is frozen already
 * (an earlier prepare froze it: resuming). `frozen` says which.
 */
export function changelogGate(
  config: ReleaseConfig,
  obs: PrepareObservations,
): { gate: PrepareGate; frozen: boolean } {
  const title = `${config.changelog} on ${config.integrationBranch}`;
  const f = obs.changelog;
  const v = obs.version.text;
  // Trunk-based (integration = base): the freeze goes onto the release branch, so that the release
  // PR has a commit of its own; resuming is read there.
  const onRelease = !isGitflow(config) && obs.releaseChangelog?.state === 'found';
  if (onRelease && obs.releaseChangelog?.state === 'found') {
    const state = frozenState(obs.releaseChangelog.content, v);
    if (state === 'frozen' || state === 'dated')
      return {
        gate: gate(
          'changelog',
          title,
          'pass',
          `${v} is frozen on ${releaseBranchName(config, obs.version)} already (resuming)`,
        ),
        frozen: true,
      };
  }
  if (f.state === 'error')
    return { gate: gate('changelog', title, 'pending', couldNotLook(f)), frozen: false };
  if (f.state === 'missing')
    return {
      gate: gate(
        'changelog',
        title,
        obs.integration.state === 'found' ? 'fail' : 'pending',
        `${config.changelog} does not exist on ${config.integrationBranch}`,
      ),
      frozen: false,
    };
  const state = frozenState(f.content, v);
  if (state === 'frozen')
    return {
      gate: gate('changelog', title, 'pass', `## [${v}] - TBD is frozen already (resuming)`),
      frozen: true,
    };
  if (state === 'dated' && obs.releaseBranch.state === 'found')
    return { gate: gate('changelog', title, 'pass', `${v} is finalized already`), frozen: true };
  try {
    freeze(f.content, v, { tagPrefix: config.tagPrefix });
    return {
      gate: gate('changelog', title, 'pass', `the Unreleased entries become ## [${v}] - TBD`),
      frozen: false,
    };
  } catch (e) {
    if (e instanceof ReleaseError)
      return { gate: gate('changelog', title, 'fail', e.message), frozen: false };
    throw e;
  }
}

/** release/X.Y.Z does not exist yet, or an earlier prepare cut it (its CHANGELOG has X.Y.Z). */
export function releaseBranchGate(config: ReleaseConfig, obs: PrepareObservations): PrepareGate {
  const name = releaseBranchName(config, obs.version);
  const title = 'release branch';
  const b = obs.releaseBranch;
  if (b.state === 'error') return gate('release-branch', title, 'pending', couldNotLook(b));
  if (b.state === 'missing') return gate('release-branch', title, 'pass', `${name} will be created`);
  const f = obs.releaseChangelog;
  if (f?.state === 'error') return gate('release-branch', title, 'pending', couldNotLook(f));
  const state = f?.state === 'found' ? frozenState(f.content, obs.version.text) : 'missing';
  // Trunk-based, a crash between cutting the branch and freezing on it: the branch is the base's head.
  const cutNotFrozen =
    !isGitflow(config) && obs.integration.state === 'found' && obs.integration.sha === b.sha;
  if (state === 'frozen' || state === 'dated' || cutNotFrozen)
    return gate('release-branch', title, 'pass', `${name} exists at ${short(b.sha)} (resuming)`, [
      { label: 'head', value: b.sha },
    ]);
  return gate(
    'release-branch',
    title,
    'fail',
    `${name} already exists at ${short(b.sha)}, but its ${config.changelog} has no ## [${obs.version}] section: it was not cut by prepare; delete it or choose another version`,
  );
}

/** No X.Y.Z tag yet (a tag means the version was published: nothing to prepare). */
export function versionTagGate(config: ReleaseConfig, obs: PrepareObservations): PrepareGate {
  const tag = formatTag(obs.version, config.tagPrefix);
  const title = 'version tag';
  const t = obs.versionTag;
  if (t.state === 'error') return gate('version-tag', title, 'pending', couldNotLook(t));
  if (t.state === 'missing') return gate('version-tag', title, 'pass', `${tag} does not exist yet`);
  if (obs.releaseBranch.state === 'found')
    return gate(
      'version-tag',
      title,
      'pass',
      `${tag} exists at ${short(t.sha)}: the release was published from ${releaseBranchName(config, obs.version)}`,
    );
  return gate('version-tag', title, 'fail', `${tag} already exists at ${short(t.sha)}; choose a new version`);
}

/** The release PR is missing (it will be opened) or open; merged or closed is not preparable. */
export function releasePrGate(config: ReleaseConfig, obs: PrepareObservations): PrepareGate {
  const title = 'release PR';
  const p = obs.pullRequest;
  const name = releaseBranchName(config, obs.version);
  if (p.state === 'error') return gate('release-pr', title, 'pending', couldNotLook(p));
  if (p.state === 'missing')
    return gate('release-pr', title, 'pass', `a draft PR ${name} → ${config.baseBranch} will be opened`);
  if (p.state === 'open')
    return gate('release-pr', title, 'pass', `#${p.number} is open (resuming)`, [
      { label: 'PR', value: `#${p.number}`, url: p.url },
    ]);
  return gate(
    'release-pr',
    title,
    'fail',
    p.state === 'merged'
      ? `#${p.number} (${name} → ${config.baseBranch}) is merged: ${obs.version} is released; choose a new version`
      : `#${p.number} (${name} → ${config.baseBranch}) was closed; reopen it, or finish abandoning ${obs.version} (release-cli abandon ${obs.version})`,
    [{ label: 'PR', value: `#${p.number}`, url: p.url }],
  );
}
