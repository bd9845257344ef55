/**
 * Commerce replay: 10,000 stored cart events (2,500 carts of 500 contacts, a fifth of them
 * bought by an `Order Completed`, half of those without a cart id) become carts and orders by `replayCommerceHistory`, batch
 * after batch as the worker runs it, against the baseline of the same events handled live, one
 * `reactToEvent` per event in arrival order, in the same run and database. Both must end in the
 * same carts. Target: the replay at least 5× the live path's rate.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/commerce-replay.ts   (BENCH_CART_EVENTS=2000 for a quick run;
 *   BENCH_LIVE=0 times the replay alone, for sizes the live path would take hours over)
 */
import { randomUUID } from "node:crypto";
import { createBenchDatabase } from "./support/bench-database.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";

const cartEvents = Number(process.env.BENCH_CART_EVENTS ?? 10_000);
const eventsPerCart = 4;
const contacts = 500;
const target = 5;
const withLive = process.env.BENCH_LIVE !== "0";

const database = await createBenchDatabase("replay");
process.env.DATABASE_URL = database.url;
const {
  commerceReplayStart,
  createWorkspace,
  db,
  disconnectDatabase,
  reactToEvent,
  replayCommerceHistory,
} = await import("@cartwheel/api/domain");
type Cursor = NonNullable<Awaited<ReturnType<typeof replayCommerceHistory>>["next"]>;

const since = Date.now() - 90 * 86_400_000;
/** The shop's history: per cart two adds, a removal and a checkout; every fifth cart bought. */
function history(contactIds: string[]) {
  const carts = cartEvents / eventsPerCart;
  return Array.from({ length: carts }, (_, i) => {
    const cart = `cart-${i}`;
    const contactId = contactIds[i % contactIds.length] as string;
    const at = (step: number) => new Date(since + i * 60_000 + step * 1000);
    const product = (id: string) => ({
      product_id: id,
      name: id,
      price: 10 + (i % 50),
      quantity: 1,
    });
    return [
      {
        contactId,
        name: "Product Added",
        properties: { cart_id: cart, ...product(`p-${i % 300}`) },
        occurredAt: at(0),
      },
      {
        contactId,
        name: "Product Added",
        properties: { cart_id: cart, ...product(`p-${(i + 7) % 300}`) },
        occurredAt: at(1),
      },
      {
        contactId,
        name: "Product Removed",
        properties: { cart_id: cart, product_id: `p-${i % 300}` },
        occurredAt: at(2),
      },
      { contactId, name: "Checkout Started", properties: { cart_id: cart }, occurredAt: at(3) },
      // Every tenth cart is bought by its id, every tenth but five by its items (no cart id).
      ...(i % 10 === 0 || i % 10 === 5
        ? [
            {
              contactId,
              name: "Order Completed",
              occurredAt: at(4),
              properties: {
                order_id: `o-${i}`,
                ...(i % 10 === 0 && { cart_id: cart }),
                total: 10,
                products: [product(`p-${(i + 7) % 300}`)],
              },
            },
          ]
        : []),
    ];
  }).flat();
}

async function shop(name: string) {
  const workspace = await createWorkspace({ name });
  await db().contact.createMany({
    data: Array.from({ length: contacts }, (_, i) => ({
      workspaceId: workspace.id,
      email: `c${i}@shop.example`,
    })),
  });
  const ids = await db().contact.findMany({
    where: { workspaceId: workspace.id },
    orderBy: { email: "asc" },
  });
  return { id: workspace.id, events: history(ids.map((contact) => contact.id)) };
}

async function store(workspaceId: string, events: ReturnType<typeof history>) {
  for (let start = 0; start < events.length; start += 5000)
    await db().event.createMany({
      data: events
        .slice(start, start + 5000)
        .map((event) => ({ ...event, workspaceId, messageId: randomUUID() })),
    });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

const cartFigures = (workspaceId: string) =>
  db().$queryRaw<{ carts: number; lines: number; converted: number; orders: number }[]>`
    SELECT (SELECT count(*)::int FROM carts WHERE workspace_id = ${workspaceId}::uuid) AS carts,
           (SELECT count(*)::int FROM cart_lines WHERE workspace_id = ${workspaceId}::uuid) AS lines,
           (SELECT count(*)::int FROM carts WHERE workspace_id = ${workspaceId}::uuid AND status = 'CONVERTED') AS converted,
           (SELECT count(*)::int FROM orders WHERE workspace_id = ${workspaceId}::uuid) AS orders`;

try {
  console.log(describeMachine());
  const live = await shop("Live shop");
  const replayed = await shop("Upgraded shop");
  const orderEvents = live.events.length - cartEvents;

  await store(replayed.id, replayed.events);
  // Months-old events have statistics (autovacuum); a fresh bulk insert needs them gathered.
  await db().$executeRaw`ANALYZE events`;
  let batches = 0;
  const replaySeconds = await timed(async () => {
    let cursor: Cursor | null = commerceReplayStart;
    while (cursor) {
      cursor = (await replayCommerceHistory(replayed.id, cursor, { defaultIdleMinutes: 60 })).next;
      batches++;
    }
  });

  const total = cartEvents + orderEvents;
  const [actual] = await cartFigures(replayed.id);
  console.log(
    `events: ${cartEvents} cart events and ${orderEvents} order events → ${JSON.stringify(actual)}`,
  );
  console.log(
    `replay (${batches} batches of ≤ 500 carts or order events): ${replaySeconds.toFixed(2)} s, ${formatRate(total / replaySeconds)} events`,
  );
  if (withLive) {
    const liveSeconds = await timed(async () => {
      for (const event of live.events) {
        const row = await db().event.create({
          data: { ...event, workspaceId: live.id, messageId: randomUUID() },
        });
        await reactToEvent(String(row.id));
      }
    });
    const [expected] = await cartFigures(live.id);
    if (JSON.stringify(expected) !== JSON.stringify(actual))
      throw new Error(`replayed ${JSON.stringify(actual)}, live ${JSON.stringify(expected)}`);
    const ratio = liveSeconds / replaySeconds;
    console.log(
      `baseline (live, reactToEvent per event, storing included): ${liveSeconds.toFixed(2)} s, ${formatRate(total / liveSeconds)} events`,
    );
    console.log(
      `ratio: ${ratio.toFixed(1)}× (target ≥ ${target}×) ${ratio >= target ? "ok" : "MISSED"}`,
    );
    if (ratio < target) process.exitCode = 1;
  }
} finally {
  await disconnectDatabase();
  await database.drop();
}
