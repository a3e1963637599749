// PULL hook with flow steps: returns the HR system's own field names and lets the
// hook's "mapping" setting rename them; skips people without an email address.
// Save it with "mapping": { "firstName": "given", "lastName": "family", "email": "mail", "jobRole": "title" }
async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://hr.example.test/v2/people', {
    headers: { Authorization: `Bearer ${ctx.secrets.token}` },
    query: { page },
  });
  if (res.status !== 200) throw new Error(`HR API answered ${res.status}`);
  const records = res.body.people.map(({ uid, ...person }) => ({ externalId: uid, data: person }));
  return { records, more: res.body.next !== null, meta: { page: res.body.next } };
}

async function preSavePage(ctx, { records, page }) {
  const kept = records.filter((r) => r.data.mail);
  if (kept.length < records.length) ctx.log.warn(`page ${page}: ${records.length - kept.length} people without email skipped`);
  return { records: kept };
}

async function postMap(ctx, { records }) {
  // After the mapping: the fields are Hookyard's now. "started" was not mapped: rename it here.
  return { records: records.map(({ externalId, data: { started, ...data } }) => ({ externalId, data: { ...data, startDate: started } })) };
}

async function postAggregate(ctx, { summary }) {
  ctx.log.info('sync finished', summary);
}
