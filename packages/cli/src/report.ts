import type {
  ExecutionResult,
  Plan,
  PreparePlan,
  PrepareResult,
  PublishPlan,
  PublishResult,
  PublishVerification,
  ReleaseStatus,
} from '@relkit/release-core';
import type { DoctorReport } from '@relkit/connect';
import { writeJson, type CliContext } from './command.js';

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
    default: {
      const { command: _command, ...rest } = report;
      return rest;
    }
  }
}

/** Hands the report to whoever listens (the Action) and prints it with --json. */
export function emitReport(ctx: CliContext, json: boolean, report: CommandReport): void {
  ctx.onReport?.(report);
  if (json) writeJson(ctx, reportJson(report));
}
