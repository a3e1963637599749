import { describe, expect, test } from 'vitest';
import { Admission, SandboxBusyError } from './admission.js';

describe('admission to the sandbox', () => {
  test('lets runs in up to the bounds, and the rest in as places come free', async () => {
    const a = new Admission({ total: 3, perOrg: 2 });
    const order: string[] = [];
    const enter = (org: string, name: string) => a.enter(org, 'wait').then(() => order.push(name));
    await Promise.all([enter('A', 'a1'), enter('A', 'a2'), enter('B', 'b1')]);
    const waiting = [enter('A', 'a3'), enter('B', 'b2'), enter('C', 'c1')];
    await Promise.resolve();
    expect(order).toEqual(['a1', 'a2', 'b1']);
    a.leave('A');
    await waiting[0];
    a.leave('B');
    await waiting[1];
    a.leave('A');
    await waiting[2];
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'b2', 'c1']);
  });

  test('organisations take turns: a flood of one waits behind a single run of another', async () => {
    const a = new Admission({ total: 1, perOrg: 1 });
    await a.enter('flood', 'wait');
    const order: string[] = [];
    const flood = Array.from({ length: 3 }, (_, i) => a.enter('flood', 'wait').then(() => order.push(`f${i}`)));
    const other = a.enter('other', 'wait').then(() => order.push('o'));
    a.leave('flood');
    await flood[0];
    a.leave('flood');
    await other;
    a.leave('other');
    await flood[1];
    expect(order).toEqual(['f0', 'o', 'f1']);
  });

  test('refuses a run at once when asked to, naming the bound that is full', async () => {
    const a = new Admission({ total: 10, perOrg: 1 });
    await a.enter('A', 'refuse');
    await expect(a.enter('A', 'refuse')).rejects.toThrow(SandboxBusyError);
    await expect(a.enter('A', 'refuse')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 1, message: expect.stringMatching(/This organisation is running 1 hooks/) });
    await a.enter('B', 'refuse');
    a.leave('A');
    await a.enter('A', 'refuse');
  });
});
