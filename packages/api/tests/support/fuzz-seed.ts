import type { TestApi } from "./graphql.ts";

const seedMutations: [string, Record<string, unknown>][] = [
  [
    `mutation($input: UpdateEmailSettingsInput!) { result: updateEmailSettings(input: $input) { __typename } }`,
    {
      input: {
        shopName: "Fuzz shop",
        shopUrl: "https://shop.example",
        postalAddress: "1 Main Street",
        supportEmail: "help@shop.example",
        fromName: "Fuzz shop",
        fromEmail: "hello@shop.example",
        currency: "EUR",
      },
    },
  ],
  [
    `mutation($input: ContactInput!) { result: upsertContact(input: $input) { __typename } }`,
    {
      input: {
        email: "ada@shop.example",
        externalId: "c-1",
        firstName: "Ada",
        tags: ["vip"],
        consent: { status: "SUBSCRIBED", source: "seed" },
      },
    },
  ],
  [
    `mutation($input: CreateTagInput!) { result: createTag(input: $input) { __typename } }`,
    { input: { name: "newsletter" } },
  ],
  [`mutation { result: installTemplateLibrary(input: {}) { __typename } }`, {}],
  [
    `mutation($input: InstallSegmentTemplatesInput!) { result: installSegmentTemplates(input: $input) { __typename } }`,
    { input: {} },
  ],
  [
    `mutation($input: CreateScoringRuleInput!) { result: createScoringRule(input: $input) { __typename } }`,
    { input: { name: "Views", eventName: "Product Viewed", points: 1 } },
  ],
  [
    `mutation($input: UpsertProductsInput!) { result: upsertProducts(input: $input) { __typename } }`,
    { input: { products: [{ productId: "p-1", title: "Cushion", price: 19.9, currency: "EUR" }] } },
  ],
  [
    `mutation($input: UpsertOrdersInput!) { result: upsertOrders(input: $input) { __typename } }`,
    {
      input: {
        orders: [
          {
            orderId: "o-1",
            orderedAt: "2026-11-01T10:00:00Z",
            total: 19.9,
            currency: "EUR",
            customer: { email: "ada@shop.example" },
            lines: [{ productId: "p-1", price: 19.9, quantity: 1 }],
          },
        ],
      },
    },
  ],
  [`mutation { result: installScenarioBlueprint(name: "welcome_discount") { __typename } }`, {}],
];

/**
 * Fills a workspace with a few rows of every kind a mutation can name (contact, tag, templates,
 * segments, scoring rule, product, order, scenario), through the API, so fuzzed ids can hit
 * real rows.
 */
export async function seedFuzzWorkspace(api: TestApi, key: string) {
  for (const [query, variables] of seedMutations) {
    const { result } = await api.data(query, variables, key);
    if (!String(result.__typename).endsWith("Success")) {
      throw new Error(`seeding failed: ${query} answered ${JSON.stringify(result)}`);
    }
  }
}
