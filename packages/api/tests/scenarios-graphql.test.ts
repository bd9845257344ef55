import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { createScenario } from "../src/domain/scenarios/scenarios.ts";
import { createSegment } from "../src/domain/segments/segments.ts";
import { createTag } from "../src/domain/tags/tags.ts";
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
    // The first steps are taken in the start's transaction: here the send, then the end.
    expect(start.startScenario.run).toMatchObject({
      status: "COMPLETED",
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

const update = `mutation($input: UpdateScenarioInput!) {
  updateScenario(input: $input) {
    __typename
    ... on MutationUpdateScenarioSuccess { scenario { definition } }
    ... on InvalidInputError { problems { path message } }
  }
}`;

describe("the typed definition input", () => {
  /** Saves `typed` as definitionInput and `document` as definition; returns both as read back. */
  async function saveBoth(key: string, typed: object, document: object) {
    const viaInput = await api.data(
      create,
      { input: { name: "Typed", definitionInput: typed } },
      key,
    );
    const viaDocument = await api.data(
      create,
      { input: { name: "JSON", definition: document } },
      key,
    );
    expect(viaInput.createScenario).toMatchObject({ scenario: { id: expect.any(String) } });
    expect(viaDocument.createScenario).toMatchObject({ scenario: { id: expect.any(String) } });
    const read = await api.data(
      `query($a: ID!, $b: ID!) {
        a: node(id: $a) { ... on Scenario { definition versions { version } } }
        b: node(id: $b) { ... on Scenario { definition } }
      }`,
      { a: viaInput.createScenario.scenario.id, b: viaDocument.createScenario.scenario.id },
      key,
    );
    return { typed: read.a.definition, document: read.b.definition };
  }

  const scenarioCount = async (key: string) =>
    (await api.data(`{ scenarios(first: 1) { totalCount } }`, {}, key)).scenarios.totalCount;

  it("saves waits, a filtered condition, a split and a send as the document the JSON path saves", async () => {
    const shop = await createTestShop(api);
    const template = await createFlowTemplate(shop.id, "Reminder");
    const segment = await createSegment(shop.id, {
      name: "Buyers",
      filter: { tag: { name: "buyer" } },
    });
    const templateId = encodeGlobalID("Template", template.id);
    const segmentId = encodeGlobalID("Segment", segment.id);
    const plan = { key: "plan", type: "STRING", op: "EQUALS", value: "pro" };
    const cartValue = { key: "value", type: "NUMBER", op: "AT_LEAST", value: "10" };

    const { typed, document } = await saveBoth(
      shop.secretKey,
      {
        version: 1,
        trigger: { event: { event: "Product Added", where: [cartValue] } },
        entityKey: "cart_id",
        entry: { rule: "ONCE_PER_ENTITY" },
        goals: [{ name: "ordered", event: "Order Completed", sameEntity: true }],
        start: "wait-1h",
        nodes: [
          {
            delay: {
              id: "wait-1h",
              duration: { hours: 1, days: null },
              window: { from: "09:00", to: "20:00", days: ["MON", "TUE"] },
              next: "wait-checkout",
            },
          },
          {
            waitForEvent: {
              id: "wait-checkout",
              event: "Checkout Started",
              sameEntity: true,
              timeout: { days: 1 },
              matched: "done",
              timedOut: "check",
            },
          },
          {
            condition: {
              id: "check",
              filter: { and: [{ property: plan }, { inSegment: { segmentId } }] },
              yes: "ab",
              no: "done",
            },
          },
          {
            split: {
              id: "ab",
              branches: [
                { name: "a", weight: 1, next: "remind" },
                { name: "b", weight: 1, next: null },
              ],
            },
          },
          {
            sendEmail: {
              id: "remind",
              templateId,
              data: { coupon: "SAVE10" },
              whenLimited: "SKIP",
              next: "done",
            },
          },
          { exit: { id: "done", reason: "finished" } },
        ],
      },
      {
        version: 1,
        trigger: { kind: "event", event: "Product Added", where: [cartValue] },
        entityKey: "cart_id",
        entry: { rule: "once_per_entity" },
        goals: [{ name: "ordered", event: "Order Completed", sameEntity: true }],
        start: "wait-1h",
        nodes: [
          {
            id: "wait-1h",
            kind: "delay",
            duration: { hours: 1 },
            window: { from: "09:00", to: "20:00", days: ["MON", "TUE"] },
            next: "wait-checkout",
          },
          {
            id: "wait-checkout",
            kind: "wait_for_event",
            event: "Checkout Started",
            sameEntity: true,
            timeout: { days: 1 },
            matched: "done",
            timedOut: "check",
          },
          {
            id: "check",
            kind: "condition",
            filter: { and: [{ property: plan }, { inSegment: { segmentId } }] },
            yes: "ab",
            no: "done",
          },
          {
            id: "ab",
            kind: "split",
            branches: [
              { name: "a", weight: 1, next: "remind" },
              { name: "b", weight: 1 },
            ],
          },
          {
            id: "remind",
            kind: "send_email",
            templateId,
            data: { coupon: "SAVE10" },
            whenLimited: "skip",
            next: "done",
          },
          { id: "done", kind: "exit", reason: "finished" },
        ],
      },
    );
    expect(typed).toEqual(document);
    expect(typed.nodes[4]).toMatchObject({ kind: "send_email", templateId });
    expect(typed.nodes[2].filter.and[1]).toEqual({ inSegment: { segmentId, isMember: true } });
  });

  it("writes out every other trigger and node kind as its document", async () => {
    const shop = await createTestShop(api);
    const template = await createFlowTemplate(shop.id, "Hello");
    await createTag(shop.id, "vip");
    const segment = await createSegment(shop.id, { name: "All", filter: { score: { min: 0 } } });
    const other = await createScenario(shop.id, {
      name: "Other",
      definition: {
        version: 1,
        trigger: { kind: "api" },
        start: "x",
        nodes: [{ id: "x", kind: "exit" }],
      },
    });
    const templateId = encodeGlobalID("Template", template.id);
    const segmentId = encodeGlobalID("Segment", segment.id);
    const scenarioId = encodeGlobalID("Scenario", other.id);
    const common = {
      version: 1,
      audience: { tag: { name: "vip" } },
      exits: [{ segmentId, member: false }],
      start: "hello",
    };
    const typedNodes = [
      { sendEmail: { id: "hello", templateId, next: "opened" } },
      { condition: { id: "opened", fact: { emailOpened: "hello" }, yes: "tag", no: "untag" } },
      { addTag: { id: "tag", tag: "vip", next: "score" } },
      { removeTag: { id: "untag", tag: "vip", next: "score" } },
      { adjustScore: { id: "score", delta: 5, reason: "engaged", next: "forget" } },
      { setProperty: { id: "forget", key: "coupon", value: null, next: "hook" } },
      {
        webhook: {
          id: "hook",
          url: "https://hooks.example.com/cw",
          body: { a: [1, null] },
          next: "other",
          failed: "other",
        },
      },
      { startScenario: { id: "other", scenarioId } },
    ];
    const documentNodes = [
      { id: "hello", kind: "send_email", templateId, next: "opened" },
      {
        id: "opened",
        kind: "condition",
        fact: { kind: "email_opened", node: "hello" },
        yes: "tag",
        no: "untag",
      },
      { id: "tag", kind: "add_tag", tag: "vip", next: "score" },
      { id: "untag", kind: "remove_tag", tag: "vip", next: "score" },
      { id: "score", kind: "adjust_score", delta: 5, reason: "engaged", next: "forget" },
      { id: "forget", kind: "set_property", key: "coupon", value: null, next: "hook" },
      {
        id: "hook",
        kind: "webhook",
        url: "https://hooks.example.com/cw",
        body: { a: [1, null] },
        next: "other",
        failed: "other",
      },
      { id: "other", kind: "start_scenario", scenarioId },
    ];
    const triggers = [
      [
        { date: { field: "BIRTHDAY", at: "10:00" } },
        { kind: "date", field: "BIRTHDAY", at: "10:00" },
      ],
      [
        { date: { property: "last_order_at", offsetDays: 30 } },
        { kind: "date", property: "last_order_at", offsetDays: 30 },
      ],
      [{ segmentEntered: { segmentId } }, { kind: "segment_entered", segmentId }],
      [{ segmentExited: { segmentId } }, { kind: "segment_exited", segmentId }],
      [{ tagAdded: { tag: "vip" } }, { kind: "tag_added", tag: "vip" }],
      [{ scoreCrossed: { threshold: 50 } }, { kind: "score_crossed", threshold: 50 }],
      [{ api: true }, { kind: "api" }],
    ];
    const saved = [];
    for (const [typedTrigger, documentTrigger] of triggers) {
      const { typed, document } = await saveBoth(
        shop.secretKey,
        {
          ...common,
          entry: { rule: "EVERY_TIME", cooldown: { days: 7 } },
          trigger: typedTrigger,
          nodes: typedNodes,
        },
        {
          ...common,
          entry: { rule: "every_time", cooldown: { days: 7 } },
          trigger: documentTrigger,
          nodes: documentNodes,
        },
      );
      expect(typed).toEqual(document);
      saved.push(typed);
    }
    const typed = saved[0];
    expect(typed.trigger).toEqual({
      kind: "date",
      field: "BIRTHDAY",
      offsetDays: 0,
      at: "10:00",
      yearly: true,
    });
    expect(typed.nodes[5]).toEqual({
      id: "forget",
      kind: "set_property",
      key: "coupon",
      value: null,
      next: "hook",
    });
  });

  it("refuses a node with two kinds set, and saves nothing", async () => {
    const shop = await createTestShop(api);
    const result = await api.request(
      create,
      {
        input: {
          name: "Two kinds",
          definitionInput: {
            version: 1,
            trigger: { api: true },
            start: "a",
            nodes: [{ delay: { id: "a", duration: { hours: 1 } }, exit: { id: "a" } }],
          },
        },
      },
      shop.secretKey,
    );
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/Exactly one key.*"ScenarioNodeInput"/);
    expect(await scenarioCount(shop.secretKey)).toBe(0);
  });

  it("names the node and field of an invalid typed input, and saves nothing", async () => {
    const shop = await createTestShop(api);
    const definitionInput = (nodes: object[]) => ({
      version: 1,
      trigger: { event: { event: "Product Added" } },
      start: nodes.length > 1 ? "wait" : "send",
      nodes,
    });
    const send = {
      sendEmail: { id: "send", templateId: encodeGlobalID("Template", crypto.randomUUID()) },
    };

    const noTimeout = await api.data(
      create,
      {
        input: {
          name: "No timeout",
          definitionInput: definitionInput([
            { waitForEvent: { id: "wait", event: "Order Completed", timedOut: "send" } },
            send,
          ]),
        },
      },
      shop.secretKey,
    );
    expect(noTimeout.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [
        {
          path: ["definition", "nodes", "wait", "timeout"],
          message: expect.stringContaining("duration"),
        },
      ],
    });

    const unknownTemplate = await api.data(
      create,
      { input: { name: "Unknown template", definitionInput: definitionInput([send]) } },
      shop.secretKey,
    );
    expect(unknownTemplate.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [
        {
          path: ["definition", "nodes", "send", "templateId"],
          message: "names no template of this workspace (or an archived one)",
        },
      ],
    });

    const apiFalse = await api.data(
      create,
      {
        input: {
          name: "api false",
          definitionInput: {
            ...definitionInput([{ exit: { id: "send" } }]),
            trigger: { api: false },
          },
        },
      },
      shop.secretKey,
    );
    expect(apiFalse.createScenario.problems).toEqual([
      { path: ["definition", "trigger", "api"], message: "set true, or choose another field" },
    ]);
    expect(await scenarioCount(shop.secretKey)).toBe(0);
  });

  it("takes definition or definitionInput, exactly one, on create; at most one on update", async () => {
    const shop = await createTestShop(api);
    const document = {
      version: 1,
      trigger: { kind: "api" },
      start: "end",
      nodes: [{ id: "end", kind: "exit" }],
    };
    const typed = {
      version: 1,
      trigger: { api: true },
      start: "end",
      nodes: [{ exit: { id: "end" } }],
    };

    const both = await api.data(
      create,
      { input: { name: "Both", definition: document, definitionInput: typed } },
      shop.secretKey,
    );
    expect(both.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["definitionInput"], message: expect.stringContaining("not both") }],
    });
    const neither = await api.data(create, { input: { name: "Neither" } }, shop.secretKey);
    expect(neither.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [{ path: ["definition"], message: expect.stringContaining("definitionInput") }],
    });
    expect(await scenarioCount(shop.secretKey)).toBe(0);

    const { createScenario: created } = await api.data(
      create,
      { input: { name: "Typed", definitionInput: typed } },
      shop.secretKey,
    );
    const id = created.scenario.id;
    const refused = await api.data(
      update,
      { input: { id, definition: document, definitionInput: typed } },
      shop.secretKey,
    );
    expect(refused.updateScenario.problems[0].path).toEqual(["definitionInput"]);
    const waiting = {
      ...typed,
      start: "pause",
      nodes: [{ delay: { id: "pause", duration: { minutes: 5 }, next: "end" } }, ...typed.nodes],
    };
    const changed = await api.data(
      update,
      { input: { id, definitionInput: waiting } },
      shop.secretKey,
    );
    expect(changed.updateScenario.scenario.definition.nodes).toEqual([
      { id: "pause", kind: "delay", duration: { minutes: 5 }, next: "end" },
      { id: "end", kind: "exit" },
    ]);
    const renamed = await api.data(update, { input: { id, name: "Renamed" } }, shop.secretKey);
    expect(renamed.updateScenario.scenario.definition).toEqual(
      changed.updateScenario.scenario.definition,
    );
  });

  it("takes a split's holdout branch and experiment end date as typed input, naming a second holdout", async () => {
    const shop = await createTestShop(api);
    const typed = (holdouts: boolean[]) => ({
      version: 1,
      trigger: { api: true },
      start: "ab",
      nodes: [
        {
          split: {
            id: "ab",
            branches: holdouts.map((holdout, i) => ({ name: `b${i}`, weight: 1, holdout })),
            experiment: { metric: "click_rate", endsAt: "2026-12-24T00:00:00Z", autoSelect: false },
          },
        },
      ],
    });
    const refused = await api.data(
      create,
      { input: { name: "Two holdouts", definitionInput: typed([false, true, true]) } },
      shop.secretKey,
    );
    expect(refused.createScenario).toMatchObject({
      __typename: "InvalidInputError",
      problems: [
        {
          path: ["definition", "nodes", "ab", "branches", "2", "holdout"],
          message: "a split has at most one holdout branch",
        },
      ],
    });
    expect(await scenarioCount(shop.secretKey)).toBe(0);
    const saved = await api.data(
      create,
      { input: { name: "One holdout", definitionInput: typed([false, true]) } },
      shop.secretKey,
    );
    const [node] = saved.createScenario.scenario.definition.nodes;
    expect(node.branches).toEqual([
      { name: "b0", weight: 1, holdout: false },
      { name: "b1", weight: 1, holdout: true },
    ]);
    expect(node.experiment).toMatchObject({
      metric: "click_rate",
      endsAt: "2026-12-24T00:00:00Z",
      autoSelect: false,
    });
  });
});
