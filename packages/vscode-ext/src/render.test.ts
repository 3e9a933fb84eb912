import type { ExecutionResult } from '@relkit/release-core';
import { describe, expect, it } from 'vitest';
import { status } from './__tests__/fixtures.js';
import { redactor as makeRedactor } from '@relkit/release-core/redact';
import {
  blockingGates,
  doctorLines,
  doctorNotification,
  journalLine,
  planDetail,
  planMarkdown,
  resultSummary,
  statusText,
} from './render.js';

const published = status('1.2.3', 123, 'published');
const unsigned = status('1.2.3', 123, 'unsigned');

describe('renderings', () => {
  it('lists the steps left to run in the modal detail, irreversible ones marked', () => {
    const text = planDetail(published.plan);
    expect(text).toMatch(
      /^3 steps will run:\n1\. point ghcr\.io\/acme\/app:latest at 1\.2\.3 .*\(irreversible\)/,
    );
    expect(text).toContain('2. publish GitHub release 1.2.3 and mark it latest (irreversible)');
    expect(text).toContain('3. merge PR #123');
    expect(text).toContain(`All ${published.gates.length} gates pass.`);
  });

  it('writes the dry-run plan as Markdown: gate table with evidence links, numbered steps', () => {
    const doc = planMarkdown(published.plan, 'acme/app');
    expect(doc).toContain('# Promote 1.2.3 — dry run');
    expect(doc).toContain('nothing was changed');
    expect(doc).toMatch(
      /\| ✔ \| release PR \| {2}\| #123 release\/1\.2\.3 → main \| \[#123\]\(https:\/\/github\.com\/acme\/app\/pull\/123\) \|/,
    );
    expect(doc).toContain('`000000000000`');
    expect(doc).toContain('1. point ghcr.io/acme/app:latest at 1.2.3');
  });

  it('explains a blocked promote with the failing gate', () => {
    expect(blockingGates(unsigned.gates)).toBe(
      'gate failed: signed by the release workflow (ghcr.io/acme/app) — no signature found for 000000000000',
    );
    expect(blockingGates(published.gates)).toBe('every gate passes');
  });

  it('summarizes results and journal entries', () => {
    const entry = {
      id: 'move-tag ghcr.io/acme/app:latest',
      kind: 'move-tag',
      status: 'done',
      message: 'moved',
      before: 'sha256:1',
      after: 'sha256:2',
      at: '2026-11-27T00:00:00Z',
    } as const;
    expect(journalLine(entry)).toBe(
      '2026-11-27T00:00:00Z done    move-tag ghcr.io/acme/app:latest: moved [sha256:1 → sha256:2]',
    );
    const ok: ExecutionResult = { kind: 'promote', version: '1.2.3', status: 'succeeded', journal: [entry] };
    expect(resultSummary(ok)).toBe('Promoted 1.2.3.');
    const failed: ExecutionResult = {
      kind: 'promote',
      version: '1.2.3',
      status: 'failed',
      journal: [{ ...entry, status: 'failed', message: 'denied' }],
      error: { code: 'GATE_NOT_MET', message: 'signed by the release workflow failed' },
    };
    expect(resultSummary(failed)).toBe(
      'promote 1.2.3 failed at "move-tag ghcr.io/acme/app:latest": GATE_NOT_MET: signed by the release workflow failed',
    );
  });

  it('prints a status with its gates and the plan left', () => {
    const text = statusText(published);
    expect(text.split('\n')[0]).toBe('1.2.3: published — gates pass, ready to promote');
    expect(text).toContain('  ✔ release PR: #123 release/1.2.3 → main');
    expect(text).toContain('  promote plan:');
  });
});

describe('makeRedactor', () => {
  it('hides known secrets and token-shaped strings', () => {
    const redact = makeRedactor(() => ['s3cr3t-value', undefined]);
    expect(redact('a s3cr3t-value b')).toBe('a *** b');
    expect(redact(`token ghp_${'x'.repeat(36)}`)).toBe('token ***');
    expect(redact('Authorization: Bearer abcdefghijkl')).toBe('Authorization: Bearer ***');
    expect(redact('https://user:pw@registry.example')).toBe('https://***@registry.example');
  });
});

describe('Check Setup renderings', () => {
  const checks = [
    { id: 'config', title: 'config valid', status: 'pass', detail: '/w/release.config.json' },
    {
      id: 'github-token',
      title: 'GitHub token',
      status: 'fail',
      detail: 'no GitHub token for github.com',
      fix: 'run `gh auth login`',
    },
    { id: 'github-rules', title: 'rulesets', status: 'skip', detail: 'not checked (why)' },
  ] as const;

  it('prints one line per check and the fix under a failure', () => {
    expect(doctorLines({ ok: false, checks })).toEqual([
      '✔ config valid: /w/release.config.json',
      '✘ GitHub token: no GitHub token for github.com',
      '    fix: run `gh auth login`',
      '– rulesets: not checked (why)',
    ]);
  });

  it('notifies a warning with the first failure and its fix, or how many pass', () => {
    expect(doctorNotification({ ok: false, checks })).toEqual({
      level: 'warning',
      message:
        'Release setup: 1 check(s) fail, 1 not checked. GitHub token: no GitHub token for github.com — run `gh auth login`',
    });
    expect(doctorNotification({ ok: true, checks: [checks[0], checks[2]] })).toEqual({
      level: 'info',
      message: 'Release setup: 1 check(s) pass, 1 not checked.',
    });
  });
});
