import type { ReleaseConfig } from '../config.js';
import { isGitflow, releaseBranchName } from '../config.js';
import { summarizeGates } from '../engine/gates.js';
import type { Plan, PlannedStep } from '../engine/plan.js';
import {
  changelogGate,
  integrationGate,
  releaseBranchGate,
  releasePrGate,
  versionGate,
  versionTagGate,
  type PrepareGate,
} from './gates.js';
import type { PrepareObservations } from './observe.js';

export type PrepareStep =
  /** `## Unreleased` → `## [X.Y.Z] - TBD` on the integration branch, by an API commit on `parentSha`. */
  | {
      readonly kind: 'freeze-changelog';
      readonly branch: string;
      readonly path: string;
      readonly version: string;
      readonly tagPrefix: string;
      readonly parentSha: string;
    }
  /** release/X.Y.Z at the freeze commit (`sha: null`: the one the freeze step produced). */
  | {
      readonly kind: 'create-release-branch';
      readonly branch: string;
      readonly from: string;
      readonly sha: string | null;
    }
  /** The draft release PR, its body the frozen CHANGELOG section. */
  | {
      readonly kind: 'open-release-pr';
      readonly head: string;
      readonly base: string;
      readonly version: string;
      readonly path: string;
      readonly title: string;
    };

export type PreparePlannedStep = PlannedStep<PrepareStep>;

/** A prepare plan: the engine's plan with prepare's steps and gates. */
export interface PreparePlan extends Plan<PrepareStep, 'prepare', PrepareGate> {
  readonly releaseBranch: string;
  readonly integrationBranch: string;
  readonly baseBranch: string;
}

export function prepareStepId(step: PrepareStep): string {
  switch (step.kind) {
    case 'freeze-changelog':
      return `${step.kind} ${step.path}@${step.branch}`;
    case 'create-release-branch':
      return `${step.kind} ${step.branch}`;
    case 'open-release-pr':
      return `${step.kind} ${step.head}→${step.base}`;
  }
}

const planned = (step: PrepareStep, done: boolean, description: string): PreparePlannedStep => ({
  id: prepareStepId(step),
  step,
  done,
  description,
  irreversible: false,
  bestEffort: false,
});

const short = (sha: string) => sha.slice(0, 7);

/**
 * `release-cli prepare X.Y.Z` (gitflow's phase 0): freeze the CHANGELOG on the integration
 * branch by an API commit → cut release/X.Y.Z from that commit → open the draft release PR to
 * the base branch. Trunk-based (integration = base): cut release/X.Y.Z at the base head → freeze
 * on it → the PR. No local git commit. Pure: a function of the observations.
 */
export function planPrepare(config: ReleaseConfig, obs: PrepareObservations): PreparePlan {
  const cl = changelogGate(config, obs);
  const gates: PrepareGate[] = [
    versionGate(config, obs),
    integrationGate(config, obs),
    cl.gate,
    releaseBranchGate(config, obs),
    versionTagGate(config, obs),
    releasePrGate(config, obs),
  ];
  const verdict = summarizeGates(gates);
  const releaseBranch = releaseBranchName(config, obs.version);
  const base = {
    kind: 'prepare' as const,
    version: obs.version.text,
    releaseBranch,
    integrationBranch: config.integrationBranch,
    baseBranch: config.baseBranch,
    gates,
    verdict,
  };
  if (obs.integration.state !== 'found') return { ...base, steps: [] };
  const head = obs.integration.sha;
  const branchExists = obs.releaseBranch.state === 'found';
  const v = obs.version.text;
  const gitflow = isGitflow(config);
  // Gitflow: freeze on the integration branch, then cut the release branch at the freeze commit
  // (already frozen: at the integration head that carries it). Trunk-based: cut the release branch
  // at the base head, then freeze on it, so that the release PR has a commit of its own.
  const freezeBranch = gitflow ? config.integrationBranch : releaseBranch;
  const freezeParent = gitflow || obs.releaseBranch.state !== 'found' ? head : obs.releaseBranch.sha;
  const freeze = planned(
    {
      kind: 'freeze-changelog',
      branch: freezeBranch,
      path: config.changelog,
      version: v,
      tagPrefix: config.tagPrefix,
      parentSha: freezeParent,
    },
    cl.frozen,
    `freeze the Unreleased entries of ${config.changelog} as ## [${v}] - TBD (API commit on ${freezeBranch}${gitflow || branchExists ? ` at ${short(freezeParent)}` : ''})`,
  );
  const from = gitflow ? (cl.frozen ? head : null) : head;
  const cut = planned(
    { kind: 'create-release-branch', branch: releaseBranch, from: config.integrationBranch, sha: from },
    branchExists,
    `create ${releaseBranch} at ${from ? short(from) : 'the freeze commit'}${gitflow ? '' : ` (${config.integrationBranch})`}`,
  );
  const steps: PreparePlannedStep[] = [
    ...(gitflow ? [freeze, cut] : [cut, freeze]),
    planned(
      {
        kind: 'open-release-pr',
        head: releaseBranch,
        base: config.baseBranch,
        version: v,
        path: config.changelog,
        title: `chore: release ${v}`,
      },
      obs.pullRequest.state === 'open',
      `open the draft PR ${releaseBranch} → ${config.baseBranch} with the ${v} section as its body`,
    ),
  ];
  return { ...base, steps };
}
