import type pg from "pg";

/** mulberry32: a small seeded PRNG, so every run loads the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const day = 86_400_000;
const eventMix: [string, number][] = [
  ["Page Viewed", 0.5],
  ["Product Added", 0.15],
  ["Email Opened", 0.15],
  ["Checkout Started", 0.07],
  ["Email Clicked", 0.06],
  ["Order Completed", 0.07],
];

/** A random event name by the mix above. */
export function pickEventName(random: () => number): string {
  let roll = random();
  for (const [name, share] of eventMix) {
    roll -= share;
    if (roll < 0) return name;
  }
  return "Page Viewed";
}

/** Event properties as a shop sends them (Segment e-commerce spec for orders). */
export function eventProperties(name: string, random: () => number, index: number) {
  const product = `p${Math.floor(random() * 500)}`;
  if (name === "Order Completed") {
    return {
      order_id: `o${index}`,
      total: Math.round(random() * 40_000) / 100,
      products: [{ product_id: product, category: `c${Math.floor(random() * 20)}` }],
    };
  }
  if (name === "Page Viewed") return { path: random() < 0.1 ? "/pricing" : `/products/${product}` };
  if (name === "Product Added") return { product_id: product };
  return {};
}

/**
 * Loads `contacts` contacts (20% on plan "pro", 30% tagged "vip") and `events` events spread
 * over the last 180 days, in multi-row `INSERT … SELECT FROM unnest(…)` batches, with the
 * events table's indexes dropped during the load and rebuilt after. Each `Order Completed`
 * event also gets its `Order` row and line, as `process_event` writes them (total in minor
 * units of the workspace's USD, placed at the event's time, source EVENT), and the products
 * they name are in the catalog with their category. Returns the contact ids.
 */
export async function loadSegmentData(
  client: pg.ClientBase,
  workspaceId: string,
  sizes: { contacts: number; events: number; now: Date },
): Promise<string[]> {
  const random = seededRandom(42);
  const ids = Array.from({ length: sizes.contacts }, () => uuidFrom(random));
  const [tag] = (
    await client.query<{ id: string }>(
      "INSERT INTO tags (id, workspace_id, name) VALUES (gen_random_uuid(), $1, 'vip') RETURNING id",
      [workspaceId],
    )
  ).rows;
  const batch = 20_000;
  for (let start = 0; start < ids.length; start += batch) {
    const slice = ids.slice(start, start + batch);
    const plans = slice.map(() => {
      const roll = random();
      return roll < 0.2 ? "pro" : roll < 0.8 ? "free" : "team";
    });
    const scores = slice.map(() => Math.floor(random() * 100));
    const created = slice.map(() => new Date(sizes.now.getTime() - (200 + random() * 400) * day));
    await client.query(
      `INSERT INTO contacts (id, workspace_id, email, properties, score, consent_status, created_at, updated_at)
       SELECT id, $1, 'c' || ord || '-' || $6 || '@example.com', jsonb_build_object('plan', plan), score,
              (CASE WHEN ord % 3 = 0 THEN 'SUBSCRIBED' ELSE 'UNKNOWN' END)::consent_status, created, created
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::timestamptz[]) WITH ORDINALITY AS t(id, plan, score, created, ord)`,
      [workspaceId, slice, plans, scores, created, start],
    );
    const tagged = slice.filter(() => random() < 0.3);
    await client.query(
      "INSERT INTO contact_tags (workspace_id, contact_id, tag_id) SELECT $1, unnest($2::uuid[]), $3",
      [workspaceId, tagged, tag?.id],
    );
  }

  const indexes = (
    await client.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' AND indexname <> 'events_pkey'",
    )
  ).rows;
  for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
  for (let start = 0; start < sizes.events; start += batch) {
    const count = Math.min(batch, sizes.events - start);
    const contactIds: string[] = [];
    const names: string[] = [];
    const properties: string[] = [];
    const times: Date[] = [];
    for (let i = 0; i < count; i++) {
      const name = pickEventName(random);
      // A skew, as real shops have: a fifth of the contacts make most of the events.
      const who =
        random() < 0.7
          ? Math.floor(random() * ids.length * 0.2)
          : Math.floor(random() * ids.length);
      contactIds.push(ids[who] as string);
      names.push(name);
      properties.push(JSON.stringify(eventProperties(name, random, start + i)));
      times.push(new Date(sizes.now.getTime() - random() * 180 * day));
    }
    await client.query(
      `INSERT INTO events (workspace_id, contact_id, name, properties, occurred_at, received_at, message_id)
       SELECT $1, contact_id, name, props::jsonb, at, at, 'seed-' || ($6::int + ord)
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS t(contact_id, name, props, at, ord)`,
      [workspaceId, contactIds, names, properties, times, start],
    );
  }
  for (const index of indexes) await client.query(index.indexdef);
  await client.query(
    `INSERT INTO products (workspace_id, shop_product_id, title, currency, category)
     SELECT DISTINCT ON (p ->> 'product_id') $1::uuid, p ->> 'product_id', p ->> 'product_id', 'USD', p ->> 'category'
       FROM events e, jsonb_array_elements(e.properties -> 'products') p
      WHERE e.workspace_id = $1 AND e.name = 'Order Completed'
      ORDER BY p ->> 'product_id', e.id`,
    [workspaceId],
  );
  await client.query(
    `INSERT INTO orders (workspace_id, shop_order_id, contact_id, currency, subtotal, total,
                         ordered_at, data_at, status_at, source)
     SELECT e.workspace_id, e.properties ->> 'order_id', e.contact_id, 'USD',
            round((e.properties ->> 'total')::numeric * 100), round((e.properties ->> 'total')::numeric * 100),
            e.occurred_at, e.occurred_at, e.occurred_at, 'EVENT'
       FROM events e WHERE e.workspace_id = $1 AND e.name = 'Order Completed'`,
    [workspaceId],
  );
  await client.query(
    `INSERT INTO order_lines (order_id, workspace_id, position, shop_product_id, price, quantity)
     SELECT o.id, o.workspace_id, 0, e.properties -> 'products' -> 0 ->> 'product_id', o.total, 1
       FROM events e JOIN orders o ON o.workspace_id = e.workspace_id AND o.shop_order_id = e.properties ->> 'order_id'
      WHERE e.workspace_id = $1 AND e.name = 'Order Completed'`,
    [workspaceId],
  );
  await client.query(
    "UPDATE contacts c SET last_seen_at = s.last FROM (SELECT contact_id, max(occurred_at) AS last FROM events GROUP BY contact_id) s WHERE c.id = s.contact_id",
  );
  await client.query("VACUUM ANALYZE");
  return ids;
}
