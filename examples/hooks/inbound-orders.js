// An inbound hook: a webhook from the HR system's "person changed" feed, saved as employees.
// Saved with type "inbound", path "hr/people", entityType "employee" and
// verify { "scheme": "standard-webhooks", "secret": "whsec_…" }.
async function run(ctx) {
  const people = ctx.request.body?.people ?? [];
  ctx.log.info(`received ${people.length} people`);
  return {
    records: people.map((p) => ({ externalId: p.uid, data: { firstName: p.given, lastName: p.family, email: p.mail } })),
    response: { status: 202, body: { accepted: people.length } },
  };
}
