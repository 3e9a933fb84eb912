// relkit-vscode: pure view-model pieces are exported for tests; the extension entry is extension.ts.
export { stateIcon } from './icons.js';
export type { NodeState } from './icons.js';
