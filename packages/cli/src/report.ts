import type {
  CleanupReport,
  ExecutionResult,
  Plan,
  PreparePlan,
  PrepareResult,
  PublishPlan,
  PublishResult,
  PublishVerification,
  ReleaseStatus,
} from '@relkit/release-core';
import { ReleaseError } from '@relkit/release-core';
import type { DoctorReport } from '@relkit/connect';
import { ExitCode, writeJson, type CliContext } from './command.js';

/** A refusal or failure as a command reports it (GATE_NOT_MET, LOCK_HELD …). */
export interface ReportedError {
  readonly code: string;
  readonly message?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * What a reporting command produced, typed: the GitHub Action builds its outputs and summary
 * from this (never from the JSON text), and `--json` prints it without the `command` key.
 */
export type CommandReport =
  | { readonly command: 'status'; readonly status: ReleaseStatus }
  | { readonly command: 'verify-publish'; readonly verification: PublishVerification }
  | { readonly command: 'doctor'; readonly doctor: DoctorReport }
  | { readonly command: 'cleanup'; readonly dryRun?: true; readonly report: CleanupReport }
  | {
      readonly command: 'promote' | 'rollback' | 'abandon';
      readonly dryRun?: true;
      readonly plan?: Plan | undefined;
      readonly result?: ExecutionResult;
      readonly error?: ReportedError;
    }
  | {
      readonly command: 'prepare';
      readonly dryRun?: true;
      readonly plan?: PreparePlan | undefined;
      readonly result?: PrepareResult;
      readonly error?: ReportedError;
    }
  | {
      readonly command: 'publish';
      readonly dryRun?: true;
      readonly plan?: PublishPlan | undefined;
      readonly result?: PublishResult;
      readonly error?: ReportedError;
    };

/** The `--json` document of a report: the status or verification itself, else the rest of it. */
export function reportJson(report: CommandReport): unknown {
  switch (report.command) {
    case 'status':
      return report.status;
    case 'verify-publish':
      return report.verification;
    case 'doctor':
      return report.doctor;
    case 'cleanup':
      return report.report;
    default: {
      const { command: _command, ...rest } = report;
      return rest;
    }
  }
}

/** A failure as `--json` prints it at the top level: `error.code` and `error.message` always. */
function errorJson(e: ReportedError): ReportedError {
  return {
    code: e.code,
    message: e.message ?? e.code,
    ...(e.details !== undefined ? { details: e.details } : {}),
  };
}

/**
 * Hands the report to whoever listens (the Action) and prints it with --json. A command that
 * fails passes `failure`: its JSON document then carries `error: { code, message }` at the top
 * level beside the rest (the gates and plan a script reads), so `jq .error.code` works for
 * every failure, and the document is still the one object on stdout.
 */
/**
 * The exit code of a refusal core signals by throwing (a gate not met: 3, the lock held: 4);
 * undefined for anything else, which the caller rethrows.
 */
export function refusalExit(e: unknown): ExitCode | undefined {
  if (e instanceof ReleaseError) {
    if (e.code === 'GATE_NOT_MET') return ExitCode.gateNotMet;
    if (e.code === 'LOCK_HELD') return ExitCode.lockHeld;
  }
  return undefined;
}

/** Reports a refusal thrown by prepare or publish (JSON or stderr) and returns its exit code; rethrows anything else. */
export function reportRefusal(
  ctx: CliContext,
  json: boolean,
  command: 'prepare' | 'publish',
  e: unknown,
): ExitCode {
  const code = refusalExit(e);
  if (code === undefined) throw e;
  const err = e as ReleaseError;
  emitReport(ctx, json, { command, error: { code: err.code, message: err.message, details: err.details } });
  if (!json) ctx.stderr(`${err.message}\n`);
  return code;
}

export function emitReport(
  ctx: CliContext,
  json: boolean,
  report: CommandReport,
  failure?: ReportedError,
): void {
  ctx.onReport?.(report);
  if (!json) return;
  const doc = reportJson(report) as Record<string, unknown>;
  const error = failure ?? ('error' in report ? report.error : undefined);
  writeJson(ctx, error ? { ...doc, error: errorJson(error) } : doc);
}

/** "title: reason; title: reason" for the gates that do not pass. */
export function unmetGates(gates: readonly { title: string; reason: string; status: string }[]): string {
  return gates
    .filter((g) => g.status !== 'pass')
    .map((g) => `${g.title}: ${g.reason}`)
    .join('; ');
}

/**
 * Why gates refuse, as --json's `error`: COULD_NOT_LOOK naming what could not be looked at (a
 * could-not-look is never "not met"), else GATE_NOT_MET naming the gates not met.
 */
export function refusal(
  gates: readonly { title: string; reason: string; status: string; couldNotLook?: true | undefined }[],
): ReportedError {
  const unlooked = gates.filter((g) => g.couldNotLook);
  return unlooked.length > 0
    ? {
        code: 'COULD_NOT_LOOK',
        message: `could not evaluate every gate; nothing was decided: ${unmetGates(unlooked)}`,
      }
    : { code: 'GATE_NOT_MET', message: unmetGates(gates) };
}
