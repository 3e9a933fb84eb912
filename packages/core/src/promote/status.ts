import type { ReleaseConfig } from '../config.js';
import { ReleaseError } from '../errors.js';
import { summarizeGates, type GateResult, type GateStatus } from './gates.js';
import type { Observations } from '../observations.js';
import { derivePhase, type Phase } from './phase.js';
import { planAbandon, planPromote, planRollback, type Plan } from './plan.js';
import { compareVersions, parseVersion } from '../version.js';

/** Whether a front end may offer an action now, and why (not), in words a user acts on. */
export interface ReleaseAction {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * The actions a front end may offer for one release, decided here by the same rules the plans
 * use (CLI, extension and Action display them and decide nothing).
 */
export interface ReleaseActions {
  /** Promote this version; `rollForward` when latest was rolled back from it. */
  readonly promote: ReleaseAction & { readonly rollForward: boolean };
  /**
   * Move latest from this version (the one latest names) back to one of `targets`, newest first.
   * Targets come from the other releases' `rollbackTo`, so they are known only where several
   * releases were observed together (`withRollbackTargets`).
   */
  readonly rollback: ReleaseAction & { readonly targets: readonly string[] };
  /** Move latest back to this version (a rollback whose target is this release). */
  readonly rollbackTo: ReleaseAction;
  /** Undo this unreleased version's drafts. */
  readonly abandon: ReleaseAction;
}

/** Everything a front end shows about one release: phase, gates, the promote plan, the actions. */
export interface ReleaseStatus {
  readonly version: string;
  readonly phase: Phase;
  readonly promoteInProgress: boolean;
  readonly gates: readonly GateResult[];
  readonly verdict: GateStatus;
  /** True when a promote may run now (every gate passes and something is left to do). */
  readonly promotable: boolean;
  readonly actions: ReleaseActions;
  readonly plan: Plan;
  readonly observations: Observations;
}

const blockedBy = (gates: readonly GateResult[]): string => {
  const bad = gates.filter((g) => g.status !== 'pass');
  const first = bad[0];
  if (!first) return '';
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more)` : '';
  return `${first.status === 'fail' ? 'gate not met' : 'gate pending'}: ${first.title}${first.subject ? ` [${first.subject}]` : ''}: ${first.reason}${more}`;
};

/** Tries a plan; its refusal (ROLLBACK_REFUSED, ABANDON_REFUSED …) is the action's reason. */
function tryPlan(make: () => Plan): Plan | ReleaseAction {
  try {
    return make();
  } catch (e) {
    if (e instanceof ReleaseError) return { allowed: false, reason: e.message };
    throw e;
  }
}

function promoteAction(phase: Phase, plan: Plan): ReleaseActions['promote'] {
  const rollForward = phase === 'rolled-back';
  if (plan.verdict !== 'pass') return { allowed: false, reason: blockedBy(plan.gates), rollForward };
  if (plan.steps.every((s) => s.done) || phase === 'promoted') {
    return { allowed: false, reason: `${plan.version} is promoted: nothing left to do`, rollForward };
  }
  const todo = plan.steps.filter((s) => !s.done).length;
  return {
    allowed: true,
    reason: rollForward
      ? `roll forward: latest goes back to ${plan.version} (${todo} step${todo > 1 ? 's' : ''})`
      : `${todo} step${todo > 1 ? 's' : ''} to do`,
    rollForward,
  };
}

function rollbackToAction(config: ReleaseConfig, obs: Observations, phase: Phase): ReleaseAction {
  if (phase === 'promoted') return { allowed: false, reason: `latest already names ${obs.version}` };
  const plan = tryPlan(() => planRollback(config, obs));
  if (!('steps' in plan)) return plan;
  if (plan.verdict !== 'pass') return { allowed: false, reason: blockedBy(plan.gates) };
  if (plan.steps.every((s) => s.done))
    return { allowed: false, reason: `latest already names ${obs.version}` };
  return { allowed: true, reason: `latest can move back to ${obs.version}` };
}

function abandonAction(config: ReleaseConfig, obs: Observations, phase: Phase): ReleaseAction {
  if (phase === 'abandoned') return { allowed: false, reason: `${obs.version} is already abandoned` };
  const plan = tryPlan(() => planAbandon(config, obs));
  if (!('steps' in plan)) return plan;
  if (plan.steps.length === 0) return { allowed: false, reason: `nothing of ${obs.version} to undo` };
  const n = plan.steps.length;
  return { allowed: true, reason: `nothing is public yet: ${n} step${n > 1 ? 's' : ''} to undo` };
}

export function releaseStatus(config: ReleaseConfig, obs: Observations): ReleaseStatus {
  const { phase, promoteInProgress } = derivePhase(obs);
  const plan = planPromote(config, obs);
  const verdict = summarizeGates(plan.gates);
  const promote = promoteAction(phase, plan);
  return {
    version: obs.version.text,
    phase,
    promoteInProgress,
    gates: plan.gates,
    verdict,
    promotable: promote.allowed,
    actions: {
      promote,
      rollback: {
        allowed: false,
        reason:
          phase === 'promoted'
            ? 'no earlier release was looked at; name one: release-cli rollback --to <version>'
            : `latest does not name ${obs.version}`,
        targets: [],
      },
      rollbackTo: rollbackToAction(config, obs, phase),
      abandon: abandonAction(config, obs, phase),
    },
    plan,
    observations: obs,
  };
}

/**
 * Completes the rollback action of the release latest names, given other releases observed at the
 * same time: its targets are the older ones latest may move back to. Pure; order is kept.
 */
export function withRollbackTargets(statuses: readonly ReleaseStatus[]): ReleaseStatus[] {
  const current = statuses.find((s) => s.phase === 'promoted');
  if (!current) return [...statuses];
  const at = parseVersion(current.version);
  const targets = statuses
    .filter((s) => s.actions.rollbackTo.allowed && compareVersions(parseVersion(s.version), at) < 0)
    .map((s) => s.version)
    .sort((a, b) => compareVersions(parseVersion(b), parseVersion(a)));
  const rollback: ReleaseActions['rollback'] =
    targets.length > 0
      ? { allowed: true, reason: `latest can move back to ${targets.join(', ')}`, targets }
      : { allowed: false, reason: 'no earlier release that latest could move back to', targets };
  return statuses.map((s) => (s === current ? { ...s, actions: { ...s.actions, rollback } } : s));
}
