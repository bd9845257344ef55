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
});
