// API post-hook on employee get and list: leaves salary adjustments out of the answer.
async function run(ctx) {
  const { status, body } = ctx.response;
  if (status !== 200) return; // errors pass through unchanged
  const strip = ({ salaryAdjustments, ...employee }) => employee;
  const hidden = ctx.request.operation === 'list' ? { ...body, items: body.items.map(strip) } : strip(body);
  return { responseOverride: hidden };
}
