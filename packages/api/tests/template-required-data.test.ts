import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { missingTemplateData } from "../src/domain/email-templates/required-data.ts";
import { installTemplateLibrary } from "../src/domain/email-templates/template-library.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { liveScenario, runsOf } from "./scenario-fixtures.ts";
import { createMailContact } from "./support/email-factories.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();

const sendEmail = `mutation($input: SendEmailInput!) { sendEmail(input: $input) {
  __typename
  ... on MutationSendEmailSuccess { result { __typename } }
  ... on InvalidInputError { message problems { path message } }
} }`;

async function shopWithLibrary() {
  const shop = await createTestShop(api);
  await updateEmailSettings(shop.id, {
    shopName: "Northwind",
    postalAddress: "1 Main St",
    fromEmail: "hello@northwind.example",
  });
  const { templates } = await installTemplateLibrary(shop.id);
  const confirmation = templates.find((t) => t.libraryKey === "order-confirmation")!;
  const contact = await createMailContact(shop.id);
  return { shop, confirmation, contact };
}

describe("missingTemplateData", () => {
  it("counts missing, null, blank and empty values as missing, by path", () => {
    const required = ["order.number", "order.items", "order.currency", "coupon", "review_url"];
    expect(
      missingTemplateData(required, {
        order: { number: "1001", items: [], currency: "  " },
        coupon: null,
        review_url: "https://x",
      }),
    ).toEqual(["order.items", "order.currency", "coupon"]);
    expect(missingTemplateData(["order.number"], { order: "1001" })).toEqual(["order.number"]);
    expect(missingTemplateData([], {})).toEqual([]);
  });
});

describe("templates that declare the data they need", () => {
  it("refuses an order confirmation sent without its order, naming each variable, and writes nothing", async () => {
    const { shop, confirmation, contact } = await shopWithLibrary();
    expect(confirmation.requiredData).toEqual(["order.number", "order.items"]);
    const input = {
      templateId: encodeGlobalID("Template", confirmation.id),
      contactId: encodeGlobalID("Contact", contact.id),
      idempotencyKey: "order-1001",
    };
    const refused = await api.data(
      sendEmail,
      { input: { ...input, data: { order: { number: "1001" } } } },
      shop.secretKey,
    );
    expect(refused.sendEmail).toEqual({
      __typename: "InvalidInputError",
      message: 'the template "Order confirmation" needs order.items, which the send does not give',
      problems: [
        {
          path: ["data", "order", "items"],
          message: 'is required by the template "Order confirmation"',
        },
      ],
    });
    expect(await db().message.count({ where: { workspaceId: shop.id } })).toBe(0);

    const sent = await api.data(
      sendEmail,
      {
        input: {
          ...input,
          data: {
            order: {
              number: "1001",
              currency: "USD",
              items: [{ name: "Mug", quantity: 1, price: 1200 }],
            },
          },
        },
      },
      shop.secretKey,
    );
    expect(sent.sendEmail.__typename).toBe("MutationSendEmailSuccess");
  });

  it("lets a template declare and change what it needs, refusing a bad path", async () => {
    const shop = await createTestShop(api);
    const create = (requiredData: string[]) =>
      api.data(
        `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) {
          __typename
          ... on MutationCreateTemplateSuccess { template { id requiredData } }
          ... on InvalidInputError { problems { path message } }
        } }`,
        {
          input: {
            name: "Coupon",
            kind: "MARKETING",
            subject: "Your code",
            html: "<p>{{ coupon.code }}</p>",
            requiredData,
          },
        },
        shop.secretKey,
      );
    const bad = await create(["coupon code"]);
    expect(bad.createTemplate).toEqual({
      __typename: "InvalidInputError",
      problems: [
        { path: ["requiredData", "0"], message: "must be a variable path like order.number" },
      ],
    });
    const made = await create(["coupon.code"]);
    expect(made.createTemplate.template.requiredData).toEqual(["coupon.code"]);
    const updated = await api.data(
      `mutation($input: UpdateTemplateInput!) { updateTemplate(input: $input) {
        ... on MutationUpdateTemplateSuccess { template { requiredData version } }
      } }`,
      { input: { id: made.createTemplate.template.id, fields: { requiredData: [] } } },
      shop.secretKey,
    );
    expect(updated.updateTemplate.template).toEqual({ requiredData: [], version: 1 });
  });

  it("fails a scenario step whose run lacks the data, saying which, instead of mailing blanks", async () => {
    const { shop, confirmation, contact } = await shopWithLibrary();
    const scenario = await liveScenario(shop.id, {
      trigger: { kind: "api" },
      start: "confirm",
      nodes: [{ id: "confirm", kind: "send_email", templateId: confirmation.id }],
    });
    await api.data(
      `mutation($id: ID!, $contact: ID!) { startScenario(input: { scenarioId: $id, contactId: $contact, payload: { note: "no order" } }) { __typename } }`,
      {
        id: encodeGlobalID("Scenario", scenario.id),
        contact: encodeGlobalID("Contact", contact.id),
      },
      shop.secretKey,
    );
    const [run] = await runsOf(scenario.id);
    expect(run?.status).toBe("FAILED");
    expect(run?.reason).toBe(
      '"confirm": the template needs order.number, order.items, which this run does not have',
    );
    expect(await db().message.count({ where: { workspaceId: shop.id } })).toBe(0);
  });
});
