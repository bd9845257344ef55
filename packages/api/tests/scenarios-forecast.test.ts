import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { forecastScenarioAudience } from "../src/domain/simulation/forecast-scenario-audience.ts";
import { createFlowTemplate } from "./scenario-fixtures.ts";
import { createEmailWorkspace, createMailContact } from "./support/email-factories.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";
import { day, hour } from "./support/scenarios.ts";

const api = makeTestApi();
const now = new Date("2026-06-15T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

async function addedToCart(workspaceId: string, contactId: string, cart: string, at: Date) {
  await db().event.create({
    data: {
      workspaceId,
      contactId,
      name: "Product Added",
      properties: { cart_id: cart, product_id: "p1" },
      occurredAt: at,
      messageId: `${contactId}:${cart}:${at.toISOString()}`,
    },
  });
}

describe("forecastScenarioAudience", () => {
  it("counts who the trigger and audience catch now and the runs 30 days of events would have started, by entry rule", async () => {
    const { workspace } = await createEmailWorkspace();
    const template = await createFlowTemplate(workspace.id, "Cart");
    const ada = await createMailContact(workspace.id);
    const bo = await createMailContact(workspace.id);
    const cy = await createMailContact(workspace.id, { consent: "UNSUBSCRIBED" });
    await addedToCart(workspace.id, ada.id, "c1", ago(1 * day));
    await addedToCart(workspace.id, ada.id, "c1", ago(2 * day));
    await addedToCart(workspace.id, ada.id, "c2", ago(3 * day));
    await addedToCart(workspace.id, bo.id, "c3", ago(40 * day)); // outside the 30 days
    await addedToCart(workspace.id, cy.id, "c4", ago(5 * day)); // outside the audience
    await addedToCart(workspace.id, ada.id, "c5", new Date(now.getTime() + hour)); // after now
    const definition = (entry: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      version: 1,
      trigger: { kind: "event", event: "Product Added" },
      audience: { consent: { statuses: ["SUBSCRIBED"] } },
      entry,
      start: "send",
      nodes: [{ id: "send", kind: "send_email", templateId: template.id }],
      ...extra,
    });
    const forecast = (def: unknown) =>
      forecastScenarioAudience(workspace.id, { definition: def }, { now });

    const perCart = await forecast(
      definition({ rule: "once_per_entity" }, { entityKey: "cart_id" }),
    );
    expect(perCart).toMatchObject({ matchingNow: 1, startsLast30Days: 2 });
    expect(perCart.since.toISOString()).toBe(ago(30 * day).toISOString());
    expect((await forecast(definition({ rule: "once" }))).startsLast30Days).toBe(1);
    expect((await forecast(definition({ rule: "every_time" }))).startsLast30Days).toBe(3);
    // -3d starts, -2d is 24 h later (inside 36 h), -1d is 48 h after the last start.
    expect(
      (await forecast(definition({ rule: "every_time", cooldown: { hours: 36 } })))
        .startsLast30Days,
    ).toBe(2);
    const everyone = { ...definition({ rule: "every_time" }), audience: undefined };
    expect(await forecast(everyone)).toMatchObject({ matchingNow: 2, startsLast30Days: 4 });
    const byApi = { ...everyone, trigger: { kind: "api" } };
    expect(await forecast(byApi)).toMatchObject({ matchingNow: 3, startsLast30Days: null });

    await expect(
      forecastScenarioAudience(workspace.id, { definition: { ...byApi, start: "gone" } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("answers over GraphQL for a saved scenario, inside the caller's workspace only", async () => {
    const shop = await createTestWorkspace(api);
    const workspaceId = decodeGlobalID(shop.workspaceId).id;
    const template = await createFlowTemplate(workspaceId, "Hi");
    const scenario = await db().scenario.create({
      data: {
        workspaceId,
        name: "Hi",
        definition: {
          version: 1,
          trigger: { kind: "api" },
          start: "send",
          nodes: [{ id: "send", kind: "send_email", templateId: template.id }],
        },
      },
    });
    await createMailContact(workspaceId);
    const query = `query($input: ForecastScenarioAudienceInput!) {
      forecastScenarioAudience(input: $input) {
        __typename
        ... on QueryForecastScenarioAudienceSuccess { data { matchingNow startsLast30Days } }
        ... on Error { message }
      }
    }`;
    const input = { scenarioId: encodeGlobalID("Scenario", scenario.id) };
    const mine = await api.data(query, { input }, shop.secretKey);
    expect(mine.forecastScenarioAudience.data).toEqual({ matchingNow: 1, startsLast30Days: null });
    const other = await createTestWorkspace(api);
    const theirs = await api.data(query, { input }, other.secretKey);
    expect(theirs.forecastScenarioAudience.__typename).toBe("NotFoundError");
  });
});
