// @vitest-environment happy-dom
import { useState } from 'react';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AutomationForm } from './automation-form';
import type { AutomationDefinition } from './automation-model';

const START: AutomationDefinition = {
  name: 'Welcome',
  enabled: false,
  trigger: { type: 'entity', entityType: 'employee', events: ['create'] },
  actions: [{ type: 'send_email', params: { to: 'hr@example.org', subject: 'Hi', text: 'Welcome' } }],
};

/** The form with its value kept in state, as the page does; `latest()` is the value now. */
function renderForm(initial: AutomationDefinition = START, errors?: Record<string, string>) {
  let current = initial;
  function Harness() {
    const [value, setValue] = useState(initial);
    current = value;
    return <AutomationForm value={value} onChange={setValue} errors={errors} />;
  }
  render(<Harness />);
  return { latest: () => current };
}

const json = () => screen.getByLabelText('JSON') as HTMLTextAreaElement;
const change = (el: HTMLElement, value: string) => act(() => void fireEvent.change(el, { target: { value } }));
const click = (el: HTMLElement) => act(() => void fireEvent.click(el));

afterEach(cleanup);

describe('the automation form builder', () => {
  it('shows a change made in the form in the JSON view', () => {
    const form = renderForm();
    change(screen.getByLabelText('Automation name'), 'Welcome new engineers');
    expect(JSON.parse(json().value).name).toBe('Welcome new engineers');
    expect(form.latest().name).toBe('Welcome new engineers');
  });

  it('shows a change made in the JSON view in the form, and keeps JSON that does not parse as typed', () => {
    const form = renderForm();
    const edited = { ...START, name: 'From JSON', trigger: { type: 'inbound', method: 'POST', path: 'hires' } };
    change(json(), JSON.stringify(edited));
    expect((screen.getByLabelText('Automation name') as HTMLInputElement).value).toBe('From JSON');
    expect((screen.getByLabelText('Path') as HTMLInputElement).value).toBe('hires');

    change(json(), '{ "name": "half');
    expect(json().value).toBe('{ "name": "half');
    expect(screen.getByRole('alert').textContent).toContain('Not valid JSON');
    // The definition is still the last one that parsed.
    expect(form.latest().name).toBe('From JSON');
  });

  it('builds nested all / any / not conditions', () => {
    const form = renderForm();
    click(screen.getByRole('button', { name: 'Add conditions' }));
    change(screen.getByLabelText('Field'), 'after.customAttributes.department');
    change(screen.getByLabelText('Value'), 'Engineering');
    click(screen.getByRole('button', { name: 'Add group' }));
    // The outer group's buttons come after its children (the new group has buttons of its own).
    click(screen.getAllByRole('button', { name: 'Add “not”' }).at(-1)!);
    const fields = screen.getAllByLabelText('Field');
    expect(fields).toHaveLength(3);
    change(fields[1], 'after.email');
    change(screen.getAllByLabelText('Test')[1], 'endsWith');
    change(screen.getAllByLabelText('Value')[1], '@example.org');
    change(fields[2], 'after.endDate');
    change(screen.getAllByLabelText('Test')[2], 'exists');

    expect(form.latest().conditions).toEqual({
      all: [
        { field: 'after.customAttributes.department', op: 'eq', value: 'Engineering' },
        { any: [{ field: 'after.email', op: 'endsWith', value: '@example.org' }] },
        { not: { field: 'after.endDate', op: 'exists' } },
      ],
    });
    expect(JSON.parse(json().value).conditions).toEqual(form.latest().conditions);
  });

  it('gives an action two cases, the second an otherwise case, each with its own params', () => {
    const form = renderForm();
    const action = screen.getByRole('group', { name: 'action 1' });
    click(within(action).getByLabelText('With cases'));
    const firstCase = screen.getByRole('listitem', { name: 'case 1' });
    change(within(firstCase).getByLabelText('Field'), 'after.customAttributes.level');
    change(within(firstCase).getByLabelText('Value'), 'senior');
    change(within(firstCase).getByLabelText('subject'), 'Senior hire: {{after.firstName}}');
    click(screen.getByRole('button', { name: 'Add “otherwise” case' }));
    const otherwise = screen.getByRole('listitem', { name: 'case 2' });
    change(within(otherwise).getByLabelText('to'), 'leads@example.org');
    change(within(otherwise).getByLabelText('subject'), 'New hire');

    expect(form.latest().actions[0]).toEqual({
      type: 'send_email',
      cases: [
        { when: { all: [{ field: 'after.customAttributes.level', op: 'eq', value: 'senior' }] }, params: { to: 'hr@example.org', subject: 'Senior hire: {{after.firstName}}', text: 'Welcome' } },
        { else: true, params: { to: 'leads@example.org', subject: 'New hire' } },
      ],
    });
    // Only one otherwise case: the button is gone.
    expect(screen.queryByRole('button', { name: 'Add “otherwise” case' })).toBeNull();
  });

  it('edits a schedule card', () => {
    const form = renderForm();
    change(screen.getByLabelText('When'), 'schedule');
    change(screen.getByLabelText('Every'), '2');
    change(screen.getByLabelText('Unit'), 'weeks');
    change(screen.getByLabelText('At times (HH:mm, comma-separated)'), '09:00, 17:30');
    click(screen.getByLabelText('mon'));
    click(screen.getByLabelText('fri'));
    const trigger = form.latest().trigger;
    expect(trigger.type).toBe('schedule');
    expect(trigger.type === 'schedule' && trigger.schedule).toMatchObject({ kind: 'recurring', every: { n: 2, unit: 'weeks' }, times: ['09:00', '17:30'], weekdays: ['mon', 'fri'] });
  });

  it('puts an API error next to the input its path names', () => {
    renderForm(
      { ...START, actions: [{ type: 'send_email', cases: [{ when: { all: [] }, params: {} }, { else: true, params: { subject: '{{' } }] }] },
      { 'actions.0.cases.1.params.subject': 'body/actions/0/cases/1/params/subject: the template does not parse' },
    );
    const second = screen.getByRole('listitem', { name: 'case 2' });
    const input = within(second).getByLabelText('subject');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const message = document.getElementById(input.getAttribute('aria-describedby')!.split(' ').pop()!)!;
    expect(message.textContent).toContain('does not parse');
    // The first case's subject is not marked.
    expect(within(screen.getByRole('listitem', { name: 'case 1' })).getByLabelText('subject').getAttribute('aria-invalid')).toBeNull();
  });
});
