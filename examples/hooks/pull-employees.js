// PULL hook: syncs employees from the mock HR system, one page per run.
async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://hr.example.test/v2/people', {
    headers: { Authorization: `Bearer ${ctx.secrets.token}` },
    query: { page },
  });
  if (res.status !== 200) throw new Error(`HR API answered ${res.status}`);
  ctx.log.info(`page ${page}: ${res.body.people.length} people`);
  return {
    records: res.body.people.map((p) => ({
      externalId: p.uid,
      data: { firstName: p.given, lastName: p.family, email: p.mail, jobRole: p.title, startDate: p.started },
    })),
    more: res.body.next !== null,
    meta: { page: res.body.next },
  };
}
