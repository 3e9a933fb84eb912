/** A gate or step state as the tree shows it. */
export type NodeState = 'pass' | 'fail' | 'pending' | 'running' | 'skipped';

/** ThemeIcon id and color for each state: pure, so the mapping is tested without VS Code. */
export function stateIcon(state: NodeState): { readonly id: string; readonly color: string | undefined } {
  switch (state) {
    case 'pass':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'fail':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'pending':
      return { id: 'circle-large-outline', color: 'testing.iconQueued' };
    case 'running':
      return { id: 'sync~spin', color: undefined };
    case 'skipped':
      return { id: 'debug-step-over', color: 'testing.iconSkipped' };
  }
}
