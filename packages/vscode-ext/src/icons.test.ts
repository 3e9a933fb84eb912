import { describe, expect, it } from 'vitest';
import { stateIcon, type NodeState } from './icons.js';

describe('stateIcon', () => {
  it('gives every state a distinct icon', () => {
    const states: NodeState[] = ['pass', 'fail', 'pending', 'running', 'skipped'];
    const ids = states.map((s) => stateIcon(s).id);
    expect(new Set(ids).size).toBe(states.length);
    expect(stateIcon('fail')).toEqual({ id: 'error', color: 'testing.iconFailed' });
  });
});
