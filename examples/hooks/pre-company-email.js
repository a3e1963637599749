// API pre-hook on employee create: only company addresses may be created through the API.
async function run(ctx) {
  const email = String(ctx.request.message?.email ?? '');
  if (!email.endsWith('@acme.test')) {
    return { status: 422, message: `email must be an @acme.test address, got "${email}"` };
  }
  return { status: 200 };
}
