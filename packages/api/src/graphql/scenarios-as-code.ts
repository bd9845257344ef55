import { exportScenarios } from "../domain/scenarios/as-code/export-scenarios.ts";
import type { ImportChange, ImportResult } from "../domain/scenarios/as-code/import-scenarios.ts";
import { importScenarios } from "../domain/scenarios/as-code/import-scenarios.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";

builder.queryField("exportScenarios", (t) =>
  t.field({
    type: "JSONObject",
    description:
      'The workspace\'s scenarios (all but archived ones, or those in `ids`) as a bundle (`format: "cartwheel.scenarios/1"`) with every template and segment they use, naming rows by name instead of id, so it reads well in git and imports into any workspace.',
    authScopes: { allOf: ["scenarios:read", "templates:read", "contacts:read"] },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: { ids: t.arg.idList({ description: "Only these scenarios." }) },
    resolve: (_root, args, context) =>
      exportScenarios(workspaceOf(context.principal), {
        ...(args.ids && {
          scenarioIds: args.ids.map((id, index) =>
            decodeId(String(id), "Scenario", ["ids", String(index)]),
          ),
        }),
      }),
  }),
);

const ImportAction = builder.enumType("ScenarioImportAction", {
  values: {
    CREATE: { description: "Not in the workspace by this name: created." },
    UPDATE: { description: "In the workspace with other content: updated." },
    UNCHANGED: { description: "The same content is there already." },
  } as const,
});

const ImportChangeRef = builder.objectRef<ImportChange>("ScenarioImportChange").implement({
  description: "What an import does, or would do, to one template, segment or scenario.",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "TEMPLATE, SEGMENT or SCENARIO." }),
    name: t.exposeString("name"),
    action: t.field({ type: ImportAction, resolve: (change) => change.action }),
    publishes: t.exposeBoolean("publishes", {
      description: "A scenario marked LIVE whose definition is published as a new version.",
    }),
  }),
});

const ImportResultRef = builder.objectRef<ImportResult>("ScenarioImportResult").implement({
  fields: (t) => ({
    dryRun: t.exposeBoolean("dryRun", { description: "True: nothing was written." }),
    changes: t.field({ type: [ImportChangeRef], resolve: (result) => result.changes }),
  }),
});

builder.mutationField("importScenarios", (t) =>
  t.field({
    type: ImportResultRef,
    description:
      "Creates or updates a bundle's templates, segments and scenarios by name, references resolved by name. Importing the same bundle twice changes nothing; a changed LIVE scenario is published as a new version. Every item is validated before anything is written.",
    authScopes: { allOf: ["scenarios:write", "templates:write", "segments:write"] },
    errors: { types: mutationErrors, dataField: { name: "result" } },
    args: {
      bundle: t.arg({ type: "JSONObject", required: true }),
      dryRun: t.arg.boolean({ description: "List the changes and write nothing." }),
    },
    resolve: (_root, args, context) =>
      importScenarios(workspaceOf(context.principal), args.bundle as never, {
        dryRun: args.dryRun ?? false,
      }),
  }),
);
