/**
 * The error a promise rejects with, checked to be a `type` (each package has one error class
 * with a stable code). A resolved promise, or any other error, fails the test with a message
 * that says which.
 */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a ${type.name}, but the promise resolved`);
  if (!(outcome.error instanceof type)) {
    throw new Error(`expected a ${type.name}, got ${String(outcome.error)}`, { cause: outcome.error });
  }
  return outcome.error;
}
