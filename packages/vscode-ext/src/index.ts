// relkit-vscode: the extension entry is extension.ts (bundled to dist/extension.cjs); this barrel
// exports the pure pieces (view model, store, renderings) for tests and for other front ends.
export { stateIcon } from './icons.js';
export type { NodeState } from './icons.js';
export {
  toNodes,
  visibleReleases,
  promotableVersions,
  gateDescription,
  releaseLinks,
  imageUrl,
  shortDigest,
  md,
} from './model.js';
export type { ViewNode, ViewOptions, ShowReleases, Activity } from './model.js';
export { ReleaseStore, nextDelayMs } from './store.js';
export type { ReleaseEntry, StoreSnapshot, StoreOptions, Timers } from './store.js';
export { planDetail, planMarkdown, blockingGates, journalLine, resultSummary, statusText } from './render.js';
export { ExtensionError, classifyError, errorCode, errorMessage } from './errors.js';
export type { ExtensionErrorCode, ErrorClass } from './errors.js';
export { redactor as makeRedactor } from '@relkit/release-core/redact';
export type { ConnectOptions, ConnectRelease } from './connect.js';
