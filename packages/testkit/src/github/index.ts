// The GitHub API simulator: in-memory GitHub with OpenAPI-validated requests and responses.
export { startGitHubSimulator } from './simulator.js';
export type {
  SimBehaviours,
  SimFault,
  DispatchHandler,
  GitHubSimulator,
  GitHubSimulatorOptions,
  SimDispatch,
  SimMergeState,
  SimComment,
  SimPull,
  SimRelease,
  SimRequest,
  SimReviewState,
  SimWorkflowRunSeed,
} from './simulator.js';
export { OpenApiValidator, OPENAPI_SOURCE } from './openapi.js';
export { memoryPackageSource } from './packages.js';
export type { SimPackageManifest, SimPackageOptions, SimPackageSource } from './packages.js';
export type { MatchedOperation, OpenApiViolation } from './openapi.js';
