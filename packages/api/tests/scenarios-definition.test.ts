import { describe, expect, it } from "vitest";
import { createScenario } from "../src/domain/scenarios/scenarios.ts";
import { InvalidInputError } from "../src/domain/shared/errors.ts";
import { createTag } from "../src/domain/tags/tags.ts";
import { createFlowTemplate } from "./scenario-fixtures.ts";
import { createEmailWorkspace } from "./support/email-factories.ts";

const problems = async (workspaceId: string, definition: Record<string, unknown>) => {
  const error = await createScenario(workspaceId, {
    name: "x",
    definition: { version: 1, ...definition },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidInputError);
  return (error as InvalidInputError).problems.map((p) => [p.path.join("."), p.message]);
};

const trigger = { kind: "event", event: "Product Added" };

describe("scenario definitions", () => {
  it("names each problem by node id and field", async () => {
    const { workspace } = await createEmailWorkspace();
    const ws = workspace.id;
    expect(
      await problems(ws, {
        trigger,
        start: "wait",
        nodes: [{ id: "wait", kind: "wait_for_event", event: "Order Completed" }],
      }),
    ).toEqual([["definition.nodes.wait.timeout", expect.stringContaining("duration")]]);
    expect(
      await problems(ws, { trigger, start: "a", nodes: [{ id: "a", kind: "teleport" }] }),
    ).toEqual([["definition.nodes.a.kind", expect.stringContaining("unknown node kind")]]);
    expect(
      await problems(ws, {
        trigger,
        start: "a",
        nodes: [{ id: "a", kind: "delay", duration: { hours: 1 }, next: "b" }],
      }),
    ).toEqual([["definition.nodes.a.next", 'no node is called "b"']]);
    expect(
      await problems(ws, {
        trigger,
        start: "a",
        nodes: [
          { id: "a", kind: "delay", duration: { hours: 1 } },
          { id: "lost", kind: "exit" },
        ],
      }),
    ).toEqual([["definition.nodes.lost", "is not reachable from the start"]]);
    const loop = await problems(ws, {
      trigger,
      start: "a",
      nodes: [
        { id: "a", kind: "adjust_score", delta: 1, reason: "r", next: "b" },
        { id: "b", kind: "adjust_score", delta: 1, reason: "r", next: "a" },
      ],
    });
    expect(loop[0]?.[1]).toContain("loop that never waits");
    expect(
      await problems(ws, {
        trigger,
        start: "w",
        nodes: [
          {
            id: "w",
            kind: "wait_for_event",
            event: "Order Completed",
            sameEntity: true,
            timeout: { days: 1 },
          },
        ],
      }),
    ).toEqual([["definition.nodes.w.sameEntity", expect.stringContaining("no entityKey")]]);
  });

  it("refuses templates, tags and segments the workspace does not have", async () => {
    const { workspace } = await createEmailWorkspace();
    const other = await createEmailWorkspace();
    const theirs = await createFlowTemplate(other.workspace.id, "Theirs");
    expect(
      await problems(workspace.id, {
        trigger,
        start: "mail",
        nodes: [
          { id: "mail", kind: "send_email", templateId: theirs.id, next: "tag" },
          { id: "tag", kind: "add_tag", tag: "vip" },
        ],
      }),
    ).toEqual([
      ["definition.nodes.mail.templateId", expect.stringContaining("names no template")],
      ["definition.nodes.tag.tag", expect.stringContaining('no tag is called "vip"')],
    ]);
    await createTag(workspace.id, "vip");
    const ok = await createScenario(workspace.id, {
      name: "Tagger",
      definition: {
        version: 1,
        trigger,
        start: "tag",
        nodes: [{ id: "tag", kind: "add_tag", tag: "vip" }],
      },
    });
    expect(ok.status).toBe("DRAFT");
  });

  it("allows one holdout branch per split and checks the experiment's metric and end date", async () => {
    const { workspace } = await createEmailWorkspace();
    const split = (branches: object[], experiment?: object) => ({
      trigger,
      start: "ab",
      nodes: [{ id: "ab", kind: "split", branches, ...(experiment && { experiment }) }],
    });
    expect(
      await problems(
        workspace.id,
        split([
          { name: "a", weight: 1 },
          { name: "h1", weight: 1, holdout: true },
          { name: "h2", weight: 1, holdout: true },
        ]),
      ),
    ).toEqual([
      ["definition.nodes.ab.branches.2.holdout", "a split has at most one holdout branch"],
    ]);
    const two = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];
    expect(
      await problems(workspace.id, split(two, { metric: "likes", endsAt: "next tuesday" })),
    ).toEqual([
      [
        "definition.nodes.ab.experiment.metric",
        "must be one of conversion, open_rate, click_rate, revenue_per_recipient",
      ],
      ["definition.nodes.ab.experiment.endsAt", "must be an ISO 8601 date-time"],
    ]);

    const saved = await createScenario(workspace.id, {
      name: "Ends",
      definition: {
        version: 1,
        ...split([...two, { name: "h", weight: 1, holdout: true }], {
          metric: "open_rate",
          endsAt: "2026-12-24T00:00:00Z",
        }),
      },
    });
    const [node] = (saved.definition as { nodes: Record<string, unknown>[] }).nodes;
    // With an end date and no minimum, only the end date decides; without either, 100.
    expect(node?.experiment).toEqual({
      metric: "open_rate",
      windowHours: 120,
      confidence: 0.95,
      endsAt: "2026-12-24T00:00:00Z",
      autoSelect: true,
    });
    const plain = await createScenario(workspace.id, {
      name: "Plain",
      definition: { version: 1, ...split(two, {}) },
    });
    expect(
      (plain.definition as { nodes: { experiment: object }[] }).nodes[0]?.experiment,
    ).toMatchObject({ metric: "conversion", minimumRunsPerBranch: 100 });
  });
});
