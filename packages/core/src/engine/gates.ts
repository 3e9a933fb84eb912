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
  /**
   * Pending because relkit could not look (an observation failed: network, 401, rate limit),
   * not because the world has not settled: a front end reports "could not look", never "not met".
   */
  readonly couldNotLook?: true | undefined;
}

/** The overall verdict of a set of gates: any fail fails, else any pending is pending. */
export function summarizeGates(gates: readonly { readonly status: GateStatus }[]): GateStatus {
  if (gates.some((g) => g.status === 'fail')) return 'fail';
  if (gates.some((g) => g.status === 'pending')) return 'pending';
  return 'pass';
}

const COULD_NOT_LOOK = 'could not look (';

/** Whether any gate could not be evaluated (an observation error), as opposed to not met. */
export function anyCouldNotLook(gates: readonly { readonly couldNotLook?: true | undefined }[]): boolean {
  return gates.some((g) => g.couldNotLook === true);
}

/** Marks a pending gate whose reason is a could-not-look (the one wording below). */
export function markCouldNotLook<G extends Gate>(g: G): G {
  return g.status === 'pending' && g.reason.startsWith(COULD_NOT_LOOK) ? { ...g, couldNotLook: true } : g;
}

/** "could not look (CODE): message", the one wording of an observation error in a gate. */
export function couldNotLook(o: { readonly code: string; readonly message: string }): string {
  return `${COULD_NOT_LOOK}${o.code}): ${o.message}`;
}

/**
 * The gates that settle by themselves: checks queued or running on the PR head, GitHub still
 * computing mergeability. Promote's and publish's gates share these ids.
 */
export const AWAITABLE_GATE_IDS: readonly string[] = ['pr-checks', 'pr-mergeable'];

/**
 * The gates that stand in the way when all of them settle by themselves, so a promote or a
 * publish may wait and look again; undefined when anything else (a fail, a could-not-look)
 * decides now, or nothing stands in the way.
 */
export function awaitableGates<G extends Gate>(gates: readonly G[]): readonly G[] | undefined {
  const open = gates.filter((g) => g.status !== 'pass');
  const settlesByItself = (g: G) =>
    g.status === 'pending' &&
    g.couldNotLook !== true &&
    !g.reason.startsWith(COULD_NOT_LOOK) &&
    AWAITABLE_GATE_IDS.includes(g.id);
  return open.length > 0 && open.every(settlesByItself) ? open : undefined;
}
