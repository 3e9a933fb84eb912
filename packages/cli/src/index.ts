// @relkit/cli: the release-cli front end. It parses arguments, gets its services from
// @relkit/connect and renders results; release logic lives in @relkit/release-core.
export { main, renderHelp } from './main.js';
export { ExitCode, UsageError } from './command.js';
export type { CliContext, Command, ParsedArgs } from './command.js';
export { makeRedactor } from './redact.js';
export { renderStatus, renderPlan, renderEvent, renderResult, styleFor } from './render.js';
