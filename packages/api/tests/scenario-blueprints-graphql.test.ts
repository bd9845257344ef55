import { encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { installSegmentTemplates } from "../src/domain/segments/playbook.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";

const api = makeTestApi();

const install = `mutation($name: String!, $options: JSONObject) {
  installScenarioBlueprint(name: $name, options: $options) {
    __typename
    ... on MutationInstallScenarioBlueprintSuccess { scenario { status definition } }
    ... on InvalidInputError { problems { path message } }
  }
}`;

describe("scenario blueprints over GraphQL", () => {
  it("lists every blueprint with its defaults; a key without the scenario scopes is refused", async () => {
    const shop = await createTestShop(api);
    const { scenarioBlueprints } = await api.data(
      `{ scenarioBlueprints { name defaults } }`,
      {},
      shop.secretKey,
    );
    const byName = Object.fromEntries(
      scenarioBlueprints.map((entry: any) => [entry.name, entry.defaults]),
    );
    expect(Object.keys(byName)).toEqual([
      "abandoned_cart",
      "welcome_discount",
      "post_purchase_cross_sell",
      "birthday_coupon",
      "browse_abandonment",
      "win_back",
      "replenishment",
      "vip_welcome",
      "vip_reward",
      "order_updates",
      "review_request",
      "sunset",
      "lead_score",
      "offer_ending",
      "exit_intent",
      "category_interest",
      "welcome_series",
    ]);
    expect(byName.vip_welcome).toEqual({ vipMinimumSpend: 500, tag: "VIP", percent: 10 });
    expect(byName.vip_reward).toEqual({
      vipMinimumSpend: 500,
      tag: "VIP",
      rewardFor: "order",
      cooldownHours: 24,
      percent: 10,
    });
    expect(byName.sunset).toMatchObject({ afterSilence: "unsubscribe" });

    const contactsOnly = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const listed = await api.request(`{ scenarioBlueprints { name } }`, {}, contactsOnly.key);
    expect(listed.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const readOnly = await shop.makeKey("SECRET", ["SCENARIOS_READ"]);
    const refused = await api.data(install, { name: "win_back" }, readOnly.key);
    expect(refused.installScenarioBlueprint.__typename).toBe("ForbiddenError");
    expect(await db().scenario.count({ where: { workspaceId: shop.id } })).toBe(0);
  });

  it("VIP welcome takes the segment's global id, and refuses another workspace's", async () => {
    const shop = await createTestShop(api);
    const other = await createTestShop(api);
    const [mine] = await installSegmentTemplates(shop.id, { templates: ["vip-customers"] });
    const [theirs] = await installSegmentTemplates(other.id, { templates: ["vip-customers"] });

    const { installScenarioBlueprint: installed } = await api.data(
      install,
      { name: "vip_welcome", options: { segmentId: encodeGlobalID("Segment", mine!.id) } },
      shop.secretKey,
    );
    expect(installed.__typename).toBe("MutationInstallScenarioBlueprintSuccess");
    expect(installed.scenario.status).toBe("DRAFT");
    expect(installed.scenario.definition.trigger).toEqual({
      kind: "segment_entered",
      segmentId: encodeGlobalID("Segment", mine!.id),
    });

    const { installScenarioBlueprint: refused } = await api.data(
      install,
      { name: "vip_welcome", options: { segmentId: encodeGlobalID("Segment", theirs!.id) } },
      shop.secretKey,
    );
    expect(refused).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["options", "segmentId"] }],
    });
    expect(await db().scenario.count({ where: { workspaceId: shop.id } })).toBe(1);
  });
});
