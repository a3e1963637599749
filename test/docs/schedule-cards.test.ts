/** The schedule cards of docs/automations.md are valid, and run when the page says. */
import { expect, it } from 'vitest';
import type { ScheduleTrigger } from '../../src/domain/automations.js';
import { upcomingRuns, validateScheduleCard } from '../../src/domain/schedule-card.js';
import { codeBlocks, readDoc } from './markdown.js';

const page = readDoc('docs/automations.md');
const section = page.slice(page.indexOf('## Schedule cards'), page.indexOf('\n## ', page.indexOf('## Schedule cards') + 1));
const [everyOtherWeek, christmas] = codeBlocks(section)
  .filter((block) => block.lang === 'json')
  .map((block) => JSON.parse(block.code) as ScheduleTrigger);
const now = new Date('2026-11-20T00:00:00Z');

it('shows schedule cards that are valid', () => {
  expect([everyOtherWeek, christmas].map((trigger) => validateScheduleCard(trigger!.schedule, { orgTimeZone: 'Europe/Amsterdam', now }))).toEqual([[], []]);
});

it('runs the every-other-week card from Wednesday 2 December, then in the week of 14 December', () => {
  expect(upcomingRuns(everyOtherWeek!, 'UTC', now, 6)).toEqual([
    '2026-12-02T09:00:00+01:00',
    '2026-12-02T17:30:00+01:00',
    '2026-12-04T09:00:00+01:00',
    '2026-12-04T17:30:00+01:00',
    '2026-12-14T09:00:00+01:00',
    '2026-12-14T17:30:00+01:00',
  ]);
});

it("runs the once card at six on Christmas Eve in the organisation's time zone", () => {
  expect(upcomingRuns(christmas!, 'America/New_York', now, 3)).toEqual(['2026-12-24T18:00:00-05:00']);
});
