// The job of the inbound benchmark, shared by the hook and the bare baseline so both do the
// same work: an order's lines summed into a total.

/** What both sides answer for `order`: its id, its number of lines and its total. */
export function orderTotal(order) {
  let total = 0;
  for (const item of order.items) total += item.qty * item.price;
  return { id: order.id, lines: order.items.length, total: Math.round(total * 100) / 100 };
}

/** The inbound hook: the same function, answering its result as the response body. */
export const HOOK_CODE = `${orderTotal.toString()}
async function run(ctx) {
  return { response: { status: 200, body: orderTotal(ctx.request.body) } };
}`;

/** The body every call sends: an order of five lines (~330 bytes of JSON). */
export const ORDER = JSON.stringify({
  id: 'ord_1042',
  customer: { email: 'ada@example.test', name: 'Ada Lovelace' },
  items: Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${100 + i}`, qty: i + 1, price: 9.5 + i })),
});
