import { describeBlueprint, scenarioBlueprints } from "../domain/scenarios/blueprints/catalogue.ts";
import { installScenarioBlueprint } from "../domain/scenarios/blueprints/install-blueprint.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeDocumentIds } from "./scenario-document.ts";
import { Scenario } from "./scenarios.ts";

type BlueprintShape = ReturnType<typeof describeBlueprint>;

const ScenarioBlueprintRef = builder.objectRef<BlueprintShape>("ScenarioBlueprint").implement({
  description: "A ready-made scenario a shop installs in one mutation, as a draft to review.",
  fields: (t) => ({
    name: t.exposeString("name", {
      description: "The name `installScenarioBlueprint` takes, e.g. abandoned_cart.",
    }),
    title: t.exposeString("title", { description: "The scenario's name once installed." }),
    description: t.exposeString("description", { description: "What the scenario does." }),
    options: t.expose("options", {
      type: "JSONObject",
      description: "The options it takes, as a JSON Schema.",
    }),
    defaults: t.expose("defaults", {
      type: "JSONObject",
      description: "Each option's value when left out.",
    }),
  }),
});

builder.queryField("scenarioBlueprints", (t) =>
  t.field({
    type: [ScenarioBlueprintRef],
    description: "The scenario blueprints a shop can install, with their options and defaults.",
    authScopes: { scope: "scenarios:read" },
    resolve: () => scenarioBlueprints.map(describeBlueprint),
  }),
);

builder.mutationField("installScenarioBlueprint", (t) =>
  t.field({
    type: Scenario,
    description:
      "Installs a blueprint as a draft scenario, with the library templates it sends (installed once). Options that name rows (segmentId) take global ids. An unknown name or bad options name the field and write nothing.",
    authScopes: { scope: "scenarios:write" },
    errors: { types: mutationErrors, dataField: { name: "scenario" } },
    args: {
      name: t.arg.string({ required: true, description: "The blueprint's name." }),
      options: t.arg({
        type: "JSONObject",
        description: "The blueprint's options; those left out take their defaults.",
      }),
    },
    resolve: (_root, args, context) =>
      installScenarioBlueprint(
        workspaceOf(context.principal),
        args.name,
        decodeDocumentIds(args.options ?? {}) as Record<string, unknown>,
      ),
  }),
);
