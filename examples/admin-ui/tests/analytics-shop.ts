import { emailConfig } from "@cartwheel/api/config";
import {
  advanceDueRuns,
  db,
  deliverMessage,
  type EmailLinks,
  makeEmailLinks,
  reactToEvent,
  recordCartEvent,
  withTransaction,
} from "@cartwheel/api/domain";
import type { LocalSes } from "@cartwheel/api/testing";
import { addDays, todayIn } from "../src/analytics.ts";
import type { startApi } from "./support.ts";

const desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36";
export const shopTimeZone = "Europe/Paris";

/**
 * A month of a small shop in Paris, written through the API wherever it has a mutation:
 * settings, contacts, two templates, a published scenario (a 50/50 A/B split of two mails and
 * a 20 % holdout) started for 24 contacts, 30 days of orders (and a few regulars' orders of
 * 4 and 10 months ago, for the LTV cohorts), marketing spend and page views.
 * The mail goes out through the real delivery code to the local SES API, and 8 recipients
 * click a tracked link over HTTP, then order; 2 of those orders get a refund, so NET and
 * GROSS attribution differ.
 */
export async function seedAnalyticsShop(api: Awaited<ReturnType<typeof startApi>>, ses: LocalSes) {
  const shop = await api.newShop();
  const workspaceId = Buffer.from(shop.workspaceId, "base64").toString("utf8").split(":")[1]!;
  const call = async (query: string, variables: Record<string, unknown> = {}) => {
    const data = await api.api.data(query, variables, shop.secretKey);
    const [result] = Object.values(data) as { __typename: string; message?: string }[];
    if (result && "__typename" in result && !result.__typename.endsWith("Success")) {
      throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(result)}`);
    }
    return data;
  };
  const ok = `__typename ... on Error { message }`;
  await call(
    `mutation($input: UpdateEmailSettingsInput!) { updateEmailSettings(input: $input) { ${ok} } }`,
    {
      input: {
        currency: "EUR",
        timezone: shopTimeZone,
        shopName: "Maison Lumière",
        shopUrl: "https://lumiere.example",
        fromEmail: "hello@lumiere.example",
        fromName: "Maison Lumière",
        postalAddress: "12 rue des Lilas, 75011 Paris",
        sendRatePerSecond: 1000,
      },
    },
  );
  const template = async (name: string) => {
    const { createTemplate } = await call(
      `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { ${ok}
        ... on MutationCreateTemplateSuccess { template { id } } } }`,
      {
        input: {
          name,
          kind: "MARKETING",
          subject: `${name}, {{ contact.first_name }}`,
          html: `<p>Hello {{ contact.first_name }}</p><p><a href="https://lumiere.example/new">See what's new</a></p>`,
        },
      },
    );
    return decodeId(createTemplate.template.id);
  };
  const [templateA, templateB] = [await template("New in: lamps"), await template("New in: vases")];
  const { createScenario } = await call(
    `mutation($input: CreateScenarioInput!) { createScenario(input: $input) { ${ok}
      ... on MutationCreateScenarioSuccess { scenario { id } } } }`,
    {
      input: {
        name: "New arrivals",
        definition: {
          version: 1,
          trigger: { kind: "api" },
          holdout: { percent: 20 },
          start: "subject-test",
          nodes: [
            {
              id: "subject-test",
              kind: "split",
              branches: [
                { name: "lamps", weight: 1, next: "mail-lamps" },
                { name: "vases", weight: 1, next: "mail-vases" },
              ],
            },
            { id: "mail-lamps", kind: "send_email", templateId: templateA, next: "done" },
            { id: "mail-vases", kind: "send_email", templateId: templateB, next: "done" },
            { id: "done", kind: "exit" },
          ],
        },
      },
    },
  );
  const scenarioId: string = createScenario.scenario.id;
  await call(`mutation($input: ScenarioIdInput!) { publishScenario(input: $input) { ${ok} } }`, {
    input: { id: scenarioId },
  });

  const emails = Array.from({ length: 24 }, (_, i) => `shopper${i + 1}@example.com`);
  const contactIds: string[] = [];
  for (const [i, email] of emails.entries()) {
    const { upsertContact } = await call(
      `mutation($input: ContactInput!) { upsertContact(input: $input) { ${ok}
        ... on MutationUpsertContactSuccess { result { contact { id } } } } }`,
      {
        input: {
          email,
          firstName: `Shopper ${i + 1}`,
          consent: { status: "SUBSCRIBED", source: "checkout" },
        },
      },
    );
    contactIds.push(upsertContact.result.contact.id);
  }
  for (const contactId of contactIds) {
    await call(`mutation($input: StartScenarioInput!) { startScenario(input: $input) { ${ok} } }`, {
      input: { scenarioId, contactId },
    });
  }
  await advanceDueRuns({ now: new Date(), workspaceId });

  // Delivery through the real code and the local SES API, with links to this API's routes.
  const clickLinks = new Map<string, string>();
  const base = makeEmailLinks({ publicUrl: api.url, secret: emailConfig().signingSecret });
  const links: EmailLinks = {
    ...base,
    click: (id, destination) => {
      const url = base.click(id, destination);
      if (destination.startsWith("https://lumiere.example/")) clickLinks.set(id, url);
      return url;
    },
  };
  const messages = await db().message.findMany({
    where: { workspaceId },
    orderBy: { toEmail: "asc" },
    select: { id: true, toEmail: true },
  });
  for (const message of messages) {
    await deliverMessage(message.id, { sender: ses.sender, links });
  }
  // The clock: the mail went out two hours ago, so the clicks below come from people, not
  // from link scanners (which click within seconds of delivery).
  await db().message.updateMany({
    where: { workspaceId },
    data: { sentAt: new Date(Date.now() - 2 * 3600_000) },
  });
  const clickers = messages.slice(0, 8);
  for (const message of clickers) {
    const response = await fetch(clickLinks.get(message.id)!, {
      redirect: "manual",
      headers: { "user-agent": desktop },
    });
    if (response.status !== 302) throw new Error(`click answered ${response.status}`);
  }

  const today = todayIn(shopTimeZone);
  const noonOf = (day: string) => new Date(`${day}T11:00:00Z`).toISOString();
  // Four carts today: three are bought by the orders below.
  for (const cart of ["cart-1", "cart-2", "cart-3", "cart-4"]) {
    await withTransaction((tx) =>
      recordCartEvent(
        tx,
        workspaceId,
        { name: "Product Added", occurredAt: new Date(), properties: { cart_id: cart } },
        "EUR",
      ),
    );
  }
  const orders = [
    ...clickers.map((message, i) => ({
      orderId: `mail-${i + 1}`,
      customer: { email: message.toEmail },
      currency: "EUR",
      total: 40 + i * 12.5,
      orderedAt: new Date().toISOString(),
      ...(i < 3 && { cartId: `cart-${i + 1}` }),
      ...(i < 2 && {
        refunds: [{ refundId: `r-${i}`, amount: 15, refundedAt: new Date().toISOString() }],
      }),
    })),
    {
      orderId: "web-today",
      customer: { email: "walk-in18@example.com" },
      currency: "EUR",
      total: 210,
      orderedAt: new Date().toISOString(),
    },
    ...Array.from({ length: 36 }, (_, i) => ({
      orderId: `web-${i + 1}`,
      customer: { email: `walk-in${(i % 17) + 1}@example.com` },
      currency: "EUR",
      total: 25 + ((i * 37) % 90),
      orderedAt: noonOf(addDays(today, -1 - (i % 29))),
    })),
  ];
  // Regulars from before the month, for the LTV cohorts: four first bought 300 days ago (two
  // of them again 60 days later), three 120 days ago.
  const regulars = [
    ...[1, 2, 3, 4].map((n) => ({
      orderId: `regular-${n}-first`,
      customer: { email: `regular${n}@example.com` },
      currency: "EUR",
      total: 60,
      orderedAt: noonOf(addDays(today, -300)),
    })),
    ...[1, 2].map((n) => ({
      orderId: `regular-${n}-again`,
      customer: { email: `regular${n}@example.com` },
      currency: "EUR",
      total: 45,
      orderedAt: noonOf(addDays(today, -240)),
    })),
    ...[5, 6, 7].map((n) => ({
      orderId: `regular-${n}-first`,
      customer: { email: `regular${n}@example.com` },
      currency: "EUR",
      total: 80,
      orderedAt: noonOf(addDays(today, -120)),
    })),
  ];
  await call(`mutation($input: UpsertOrdersInput!) { upsertOrders(input: $input) { ${ok} } }`, {
    input: { orders: [...orders, ...regulars] },
  });
  await call(
    `mutation($input: RecordMarketingSpendInput!) { recordMarketingSpend(input: $input) { ${ok} } }`,
    {
      input: {
        entries: [3, 10, 17].map((back) => ({
          day: addDays(today, -back),
          channel: "paid-social",
          amount: 60,
        })),
      },
    },
  );
  // Twenty browsing sessions over the month, a quarter of them ending in a purchase.
  const events = Array.from({ length: 20 }, (_, i) => {
    const start = Date.parse(noonOf(addDays(today, -1 - i))) - 3600_000;
    const view = (minutes: number, n: number) => ({
      type: "PAGE",
      messageId: `view-${i}-${n}`,
      anonymousId: `visitor-${i}`,
      timestamp: new Date(start + minutes * 60_000).toISOString(),
      properties: { url: "https://lumiere.example/" },
    });
    const visit = [view(0, 1), view(4, 2)];
    return i % 4 === 0
      ? [
          ...visit,
          {
            type: "TRACK",
            event: "Order Completed",
            messageId: `order-${i}`,
            anonymousId: `visitor-${i}`,
            timestamp: new Date(start + 6 * 60_000).toISOString(),
          },
        ]
      : visit;
  }).flat();
  await call(`mutation($input: IngestEventsInput!) { ingestEvents(input: $input) { ${ok} } }`, {
    input: { events },
  });
  // What the worker's process_event does with each (no worker runs here): visits from the views.
  const stored = await db().event.findMany({
    where: { workspaceId, name: { in: ["Page Viewed", "Order Completed"] } },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  for (const { id } of stored) await reactToEvent(String(id));
  return { shop, workspaceId, scenarioId, call, clickers: clickers.map((m) => m.toEmail) };
}

/** The row id of a global id ("Type:<id>" in base64). */
function decodeId(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":")[1]!;
}
