// PUSH hook: tells the billing endpoint about every new or changed employee.
async function run(ctx) {
  const { id, changeType, entityId, after } = ctx.event;
  const res = await ctx.http.post(
    'https://hr.example.test/billing/events',
    { type: `employee.${changeType}`, employeeId: entityId, email: after?.email ?? null },
    // The event id stays the same across retries: the receiver can drop duplicates.
    { headers: { Authorization: `Bearer ${ctx.secrets.token}`, 'Idempotency-Key': id } },
  );
  // A non-2xx answer is not thrown by ctx.http: throwing here makes Hookyard retry.
  if (res.status >= 300) throw new Error(`billing answered ${res.status}`);
  ctx.log.info('billing event sent', { status: res.status });
}
