import type { ReleaseConfig } from '../config.js';
import { summarizeGates, type GateResult, type GateStatus } from './gates.js';
import type { Observations } from '../observations.js';
import { derivePhase, type Phase } from './phase.js';
import { planPromote, type Plan } from './plan.js';

/** Everything a front end shows about one release: phase, gates and the promote plan. */
export interface ReleaseStatus {
  readonly version: string;
  readonly phase: Phase;
  readonly promoteInProgress: boolean;
  readonly gates: readonly GateResult[];
  readonly verdict: GateStatus;
  /** True when a promote may run now (every gate passes and something is left to do). */
  readonly promotable: boolean;
  readonly plan: Plan;
  readonly observations: Observations;
}

export function releaseStatus(config: ReleaseConfig, obs: Observations): ReleaseStatus {
  const { phase, promoteInProgress } = derivePhase(obs);
  const plan = planPromote(config, obs);
  const verdict = summarizeGates(plan.gates);
  return {
    version: obs.version.text,
    phase,
    promoteInProgress,
    gates: plan.gates,
    verdict,
    promotable: verdict === 'pass' && phase !== 'promoted' && plan.steps.some((s) => !s.done),
    plan,
    observations: obs,
  };
}
