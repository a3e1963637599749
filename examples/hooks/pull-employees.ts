// The tutorial's PULL hook in TypeScript. Save it with "language": "typescript";
// types are stripped before it runs. The reference line gives editors the ctx types.
/// <reference path="../../types/hookyard.d.ts" />
import type { PullCtx, PullResult } from 'hookyard';

interface Person {
  uid: string;
  given: string;
  family: string;
  mail: string;
  title: string;
  started: string;
}

export async function run(ctx: PullCtx<{ page: number }>): Promise<PullResult<{ page: number | null }>> {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get<{ people: Person[]; next: number | null }>('https://hr.example.test/v2/people', {
    headers: { Authorization: `Bearer ${ctx.secrets.token}` },
    query: { page },
  });
  if (res.status !== 200) throw new Error(`HR API answered ${res.status}`);
  return {
    records: res.body.people.map((p) => ({
      externalId: p.uid,
      data: { firstName: p.given, lastName: p.family, email: p.mail, jobRole: p.title, startDate: p.started },
    })),
    more: res.body.next !== null,
    meta: { page: res.body.next },
  };
}
