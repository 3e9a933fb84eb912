/**
 * Gates: the checks a plan must pass before the executor may run it. Promote and publish each
 * have their own gate ids; the shape, the statuses and the verdict rule are one.
 */
export type GateStatus = 'pass' | 'fail' | 'pending';

/** One piece of evidence behind a gate: a digest, a URL, a check name, a PR number. */
export interface Evidence {
  readonly label: string;
  readonly value: string;
  readonly url?: string | undefined;
}

export interface Gate<Id extends string = string> {
  readonly id: Id;
  /** The image the gate is about, for per-image gates. */
  readonly subject?: string | undefined;
  readonly title: string;
  readonly status: GateStatus;
  /** Why, in words a release engineer acts on. */
  readonly reason: string;
  readonly evidence: readonly Evidence[];
}

/** The overall verdict of a set of gates: any fail fails, else any pending is pending. */
export function summarizeGates(gates: readonly { readonly status: GateStatus }[]): GateStatus {
  if (gates.some((g) => g.status === 'fail')) return 'fail';
  if (gates.some((g) => g.status === 'pending')) return 'pending';
  return 'pass';
}

/** "could not look (CODE): message", the one wording of an observation error in a gate. */
export function couldNotLook(o: { readonly code: string; readonly message: string }): string {
  return `could not look (${o.code}): ${o.message}`;
}
