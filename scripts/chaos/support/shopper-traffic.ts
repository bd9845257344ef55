import { randomUUID } from "node:crypto";

/** One `POST /v1/batch` a shopper's browser (public key) or the shop's backend (secret key) makes. */
export interface IngestRequest {
  from: "browser" | "backend";
  /** The contact's email, set on the request that carries Checkout Started (the scenario's trigger). */
  triggers?: string;
  batch: Record<string, unknown>[];
}

const products = Array.from({ length: 40 }, (_, i) => ({
  product_id: `sku-${i + 1}`,
  name: `Northwind item ${i + 1}`,
  price: 10 + (i % 9) * 5,
}));

/** Visit `n`'s contact: contact n/2 for even n (a newcomer), an earlier one for odd n. */
export function visitor(visit: number): number {
  const newcomers = Math.floor(visit / 2);
  return visit % 2 === 0 ? newcomers : (visit * 2_654_435_761) % Math.max(1, newcomers);
}

/**
 * The requests of one visit, as the SDK batches them (one flush per page): identify and the
 * landing page; a product page; a second product added to the cart; the cart and checkout.
 * Every third visit the backend then reports the order with the secret key (identify with a
 * tier trait, Order Completed). Every other visit is a new contact's, the rest are by contacts
 * who came before (see `visitor`), so first checkouts (and their mails) go on all along.
 */
export function visitRequests(visit: number, contacts: number, now: () => Date): IngestRequest[] {
  const contact = visitor(visit) % contacts;
  const email = `shopper${contact}@load.example`;
  const anonymousId = randomUUID();
  const first = products[visit % products.length]!;
  const second = products[(visit * 7 + 3) % products.length]!;
  const cartId = `cart-${visit}`;
  const line = { ...second, quantity: 1 };
  const page = (path: string) => ({
    url: `https://shop.load.example${path}`,
    path,
    referrer: "",
    title: "Northwind Goods",
  });
  const event = (type: string, name: string, properties: object, path: string, extra = {}) => ({
    messageId: `load-${randomUUID()}`,
    type,
    event: name,
    properties,
    anonymousId,
    userId: email,
    timestamp: now().toISOString(),
    context: { page: page(path), userAgent: "Mozilla/5.0 (X11; Linux x86_64)", locale: "en-US" },
    ...extra,
  });
  const requests: IngestRequest[] = [
    {
      from: "browser",
      batch: [
        event("identify", "Identify", {}, "/", { traits: { firstName: `Ada${contact}` } }),
        event("page", "Page Viewed", { path: "/" }, "/"),
      ],
    },
    {
      from: "browser",
      batch: [
        event("page", "Page Viewed", { path: `/p/${first.product_id}` }, `/p/${first.product_id}`),
        event("track", "Product Viewed", first, `/p/${first.product_id}`),
      ],
    },
    {
      from: "browser",
      batch: [
        event(
          "page",
          "Page Viewed",
          { path: `/p/${second.product_id}` },
          `/p/${second.product_id}`,
        ),
        event("track", "Product Viewed", second, `/p/${second.product_id}`),
        event("track", "Product Added", { ...line, cart_id: cartId }, `/p/${second.product_id}`),
      ],
    },
    {
      from: "browser",
      triggers: email,
      batch: [
        event("track", "Cart Viewed", { cart_id: cartId, products: [line] }, "/cart"),
        event(
          "track",
          "Checkout Started",
          { cart_id: cartId, products: [line], total: second.price, currency: "USD" },
          "/checkout",
        ),
      ],
    },
  ];
  if (visit % 3 === 2) {
    requests.push({
      from: "backend",
      batch: [
        event("identify", "Identify", {}, "/checkout", {
          traits: { tier: visit % 2 === 0 ? "gold" : "silver" },
        }),
        event(
          "track",
          "Order Completed",
          {
            order_id: `order-${visit}`,
            cart_id: cartId,
            total: second.price,
            currency: "USD",
            products: [line],
          },
          "/checkout",
        ),
      ],
    });
  }
  return requests;
}

/**
 * An endless stream of requests from `concurrentVisits` visits under way at once: each next
 * request comes from the next visit in turn, and a finished visit makes room for a new one.
 */
export function* shopperTraffic(
  contacts: number,
  concurrentVisits: number,
  now: () => Date,
): Generator<IngestRequest> {
  let nextVisit = 0;
  const open = Array.from({ length: concurrentVisits }, () =>
    visitRequests(nextVisit++, contacts, now),
  );
  for (let turn = 0; ; turn = (turn + 1) % concurrentVisits) {
    const visit = open[turn]!;
    const request = visit.shift();
    if (visit.length === 0) open[turn] = visitRequests(nextVisit++, contacts, now);
    if (request) yield request;
  }
}
