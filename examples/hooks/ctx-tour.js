// A tour of ctx: every member a hook of any type gets, used once. Run it with
//   ./bin/hookyard.js run examples/hooks/ctx-tour.js --type pull --secret token=… --params '{"region":"eu"}' …
async function run(ctx) {
  // ctx.org, ctx.integration, ctx.execution: where and why this run happens.
  ctx.log.info(`org ${ctx.org.slug} (${ctx.org.timeZone}), integration ${ctx.integration.sourceSystemKey}`);
  ctx.log.debug('execution', { trigger: ctx.execution.trigger, dryRun: ctx.execution.dryRun, attempt: ctx.execution.attempt, page: ctx.execution.page });

  // ctx.params: the hook's own settings, as saved with it.
  const region = ctx.params.region ?? 'all';

  // ctx.secrets: the integration's secrets, read-only strings. They never show in logs:
  // this line is stored as "using [secret:token]".
  ctx.log.info(`using ${ctx.secrets.token}`);

  // ctx.http: HTTPS calls. Non-2xx answers come back as they are; network and policy
  // problems throw an HttpError with a code.
  const res = await ctx.http.get('https://hr.example.test/v2/people', {
    headers: { Authorization: `Bearer ${ctx.secrets.token}` },
    query: { page: 1 },
    timeoutMs: 5000,
  });
  ctx.log.info(`people answered ${res.status}`, { contentType: res.headers['content-type'], count: res.body.people.length });
  try {
    await ctx.http.get('http://hr.example.test/v2/people');
  } catch (err) {
    ctx.log.warn(`refused: ${err.name} ${err.code}`); // HttpError PROTOCOL_NOT_ALLOWED
  }

  // ctx.kv: a small JSON store per integration that outlives the run.
  const runs = (await ctx.kv.get('tour:runs')) ?? 0;
  await ctx.kv.set('tour:runs', runs + 1, { ttlSeconds: 3600 });
  await ctx.kv.set('tour:last-region', region);
  ctx.log.info('kv keys', { keys: await ctx.kv.list('tour:') });
  await ctx.kv.delete('tour:last-region');

  // console.log works too, as an info line.
  console.log('done with page', ctx.meta?.page ?? 1);

  // ctx.meta (PULL only): undefined on the first page, then the meta the previous page returned.
  return { records: [], more: ctx.meta === undefined, meta: { page: 2 } };
}
