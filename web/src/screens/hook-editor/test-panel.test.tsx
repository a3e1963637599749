// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../api/client';
import { HOOK_TYPE_FORMS } from './hook-types';
import { TestPanel } from './test-panel';

const DRY_RUN = {
  id: 'x1',
  hookId: 'h1',
  automationId: null,
  status: 'completed',
  trigger: 'test',
  dryRun: true,
  attempt: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:00.100Z',
  durationMs: 100,
  pages: 1,
  counts: { processed: 2, wouldCreate: 1, wouldUpdate: 1, wouldDelete: 0, wouldSkip: 0, invalid: 0 },
  logs: [{ ts: '2026-01-01T00:00:00.100Z', level: 'info', message: 'dry run: the hook would answer 202 (verification is not applied in a dry run)' }],
  http: [],
  preview: [
    { externalId: 'p1', outcome: 'would-update', changes: { firstName: { from: 'Ada', to: 'Augusta' } } },
    { externalId: 'p2', outcome: 'would-create' },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
} as unknown as Execution;

afterEach(cleanup);

describe('the Test panel of an inbound hook', () => {
  it('edits a ctx.request fixture, starting from a sample call whose body is JSON', () => {
    const sample = HOOK_TYPE_FORMS.inbound.fixture!;
    render(<TestPanel type="inbound" fixture={sample.sample} onFixture={() => undefined} code="" errors={{}} />);
    const field = screen.getByLabelText('Fixture: ctx.request (JSON)') as HTMLTextAreaElement;
    const request = JSON.parse(field.value);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({ id: expect.any(String) });
  });

  it('shows the dry run with its records as would-create and would-update with the changed field', () => {
    render(<TestPanel type="inbound" fixture="" onFixture={() => undefined} result={DRY_RUN} code="" errors={{}} />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.getAttribute('data-outcome'))).toEqual(['would-update', 'would-create']);
    expect(rows[0]!.textContent).toContain('firstName');
    expect(rows[0]!.textContent).toContain('Augusta');
    expect(screen.getByText(/the hook would answer 202/)).toBeTruthy();
  });
});
