import { describe, expect, it } from 'vitest';
import { awaitableGates, couldNotLook, type Gate, type GateStatus } from './gates.js';

const g = (id: string, status: GateStatus, reason = 'r'): Gate => ({
  id,
  title: id,
  status,
  reason,
  evidence: [],
});

describe('awaitableGates on any plan’s gates', () => {
  it('awaits a publish whose only open gate is its release PR’s checks still running', () => {
    const open = [g('pr-checks', 'pending', 'running: ci on abc1234')];
    expect(awaitableGates([g('version', 'pass'), g('changelog', 'pass'), ...open])).toEqual(open);
  });
  it('decides now when a publish gate that does not settle by itself is open', () => {
    expect(awaitableGates([g('pr-checks', 'pending'), g('changelog', 'fail')])).toBeUndefined();
    expect(awaitableGates([g('pr-checks', 'pending'), g('built-from', 'pending')])).toBeUndefined();
  });
  it('never waits on a could-not-look, marked or only worded so', () => {
    const worded = couldNotLook({ code: 'NETWORK', message: 'no answer' });
    expect(awaitableGates([g('pr-checks', 'pending', worded)])).toBeUndefined();
    expect(awaitableGates([{ ...g('pr-checks', 'pending'), couldNotLook: true }])).toBeUndefined();
  });
  it('has nothing to await when every gate passes', () => {
    expect(awaitableGates([g('pr-checks', 'pass')])).toBeUndefined();
  });
});
