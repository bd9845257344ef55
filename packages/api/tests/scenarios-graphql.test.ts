import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { createFlowTemplate } from "./scenario-fixtures.ts";
import { createTestShop } from "./support/events.ts";
import { makeTestApi } from "./support/index.ts";
import { runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();

const create = `mutation($input: CreateScenarioInput!) {
  createScenario(input: $input) {
    __typename
    ... on MutationCreateScenarioSuccess { scenario { id status definition } }
    ... on InvalidInputError { problems { path message } }
    ... on Error { message }
  }
}`;

describe("scenarios over GraphQL", () => {
  it("creates, publishes and starts a scenario, and reads its runs, history and node stats", async () => {
    const shop = await createTestShop(api);
    await updateEmailSettings(shop.id, {
      fromEmail: "hi@shop.example",
      postalAddress: "1 Main St",
    });
    const template = await createFlowTemplate(shop.id, "Thanks");
    const { contact } = await upsertContact(shop.id, {
      email: "ada@example.com",
      consent: { status: "SUBSCRIBED", source: "test" },
    });
    const templateId = encodeGlobalID("Template", template.id);
    const definition = {
      version: 1,
      trigger: { kind: "api" },
      start: "thanks",
      nodes: [{ id: "thanks", kind: "send_email", templateId }],
    };

    const bad = await api.data(
      create,
      {
        input: {
          name: "Broken",
          definition: {
            ...definition,
            nodes: [{ id: "thanks", kind: "send_email", templateId, next: "gone" }],
          },
        },
      },
      shop.secretKey,
    );
    expect(bad.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [
        { path: ["definition", "nodes", "thanks", "next"], message: 'no node is called "gone"' },
      ],
    });

    const { createScenario } = await api.data(
      create,
      { input: { name: "Thank you", definition } },
      shop.secretKey,
    );
    expect(createScenario.scenario.status).toBe("DRAFT");
    expect(createScenario.scenario.definition.nodes[0].templateId).toBe(templateId);
    const scenarioId = createScenario.scenario.id;
    const { publishScenario } = await api.data(
      `mutation($id: ID!) { publishScenario(input: { id: $id }) { ... on MutationPublishScenarioSuccess { scenario { status liveVersion { version } } } } }`,
      { id: scenarioId },
      shop.secretKey,
    );
    expect(publishScenario.scenario).toEqual({ status: "LIVE", liveVersion: { version: 1 } });

    const start = await api.data(
      `mutation($input: StartScenarioInput!) { startScenario(input: $input) {
        __typename ... on MutationStartScenarioSuccess { run { id status trigger } } ... on Error { message } } }`,
      {
        input: {
          scenarioId,
          contactId: encodeGlobalID("Contact", contact.id),
          payload: { order_id: "1042" },
        },
      },
      shop.secretKey,
    );
    expect(start.startScenario.run).toMatchObject({
      status: "ACTIVE",
      trigger: { properties: { order_id: "1042" } },
    });
    await runDueWork(new Date());

    const read = await api.data(
      `query($id: ID!) { node(id: $id) { ... on Scenario {
        nodeStats { nodeId entered outputs { output count } waiting messages { queued } }
        runs(first: 5) { totalCount edges { node { status contact { email } history { nodeId output messageId } } } }
      } } }`,
      { id: scenarioId },
      shop.secretKey,
    );
    expect(read.node.nodeStats).toEqual([
      {
        nodeId: "thanks",
        entered: 1,
        outputs: [{ output: "next", count: 1 }],
        waiting: 0,
        messages: { queued: 1 },
      },
    ]);
    const run = read.node.runs.edges[0].node;
    expect(run).toMatchObject({ status: "COMPLETED", contact: { email: "ada@example.com" } });
    expect(decodeGlobalID(run.history[0].messageId).typename).toBe("Message");

    // Another workspace sees nothing; a key without the scope may not write.
    const other = await createTestShop(api);
    const theirs = await api.data(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: scenarioId },
      other.secretKey,
    );
    expect(theirs.node).toBeNull();
    const reader = await shop.makeKey("SECRET", ["CONTACTS_READ"]);
    const refused = await api.data(create, { input: { name: "x", definition } }, reader.key);
    expect(refused.createScenario.__typename).toBe("ForbiddenError");
  });
});
