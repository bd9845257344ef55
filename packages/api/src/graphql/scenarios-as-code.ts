import {
  bundleToYaml,
  parseBundleYaml,
  YamlSyntaxError,
} from "../domain/scenarios/as-code/bundle-yaml.ts";
import { exportScenarios } from "../domain/scenarios/as-code/export-scenarios.ts";
import type { ImportChange, ImportResult } from "../domain/scenarios/as-code/import-scenarios.ts";
import { importScenarios } from "../domain/scenarios/as-code/import-scenarios.ts";
import { InvalidInputError, NotFoundError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { ErrorInterface, mutationErrors } from "./errors.ts";
import { decodeId } from "./ids.ts";

const exportOptions = (ids: readonly (string | number)[] | null | undefined) =>
  ids
    ? {
        scenarioIds: ids.map((id, index) =>
          decodeId(String(id), "Scenario", ["ids", String(index)]),
        ),
      }
    : {};

builder.queryField("exportScenarios", (t) =>
  t.field({
    type: "JSONObject",
    description:
      'The workspace\'s scenarios (all but archived ones, or those in `ids`) as a bundle (`format: "cartwheel.scenarios/1"`) with every template and segment they use, naming rows by name instead of id, so it reads well in git and imports into any workspace.',
    authScopes: { allOf: ["scenarios:read", "templates:read", "contacts:read"] },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: { ids: t.arg.idList({ description: "Only these scenarios." }) },
    resolve: (_root, args, context) =>
      exportScenarios(workspaceOf(context.principal), exportOptions(args.ids)),
  }),
);

builder.queryField("exportScenariosYaml", (t) =>
  t.field({
    type: "String",
    description:
      "The same bundle as `exportScenarios`, written as YAML (multi-line HTML as `|` blocks, no anchors), for an admin screen's editor or a file in git; `importScenarios(yaml:)` takes it back.",
    authScopes: { allOf: ["scenarios:read", "templates:read", "contacts:read"] },
    errors: { types: [InvalidInputError, NotFoundError] },
    args: { ids: t.arg.idList({ description: "Only these scenarios." }) },
    resolve: async (_root, args, context) =>
      bundleToYaml(await exportScenarios(workspaceOf(context.principal), exportOptions(args.ids))),
  }),
);

builder.objectType(YamlSyntaxError, {
  name: "YamlSyntaxError",
  description:
    "The `yaml` text is not one plain YAML document (a syntax error, a duplicate key, a tag, too many aliases); nothing was changed. `line` and `column` (from 1) say where.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    line: t.exposeInt("line"),
    column: t.exposeInt("column"),
    reason: t.exposeString("reason", { description: "The problem, without the position." }),
  }),
});

const ImportAction = builder.enumType("ScenarioImportAction", {
  values: {
    CREATE: { description: "Not in the workspace by this name: created." },
    UPDATE: { description: "In the workspace with other content: updated." },
    UNCHANGED: { description: "The same content is there already." },
  } as const,
});

const ImportChangeRef = builder.objectRef<ImportChange>("ScenarioImportChange").implement({
  description: "What an import does, or would do, to one tag, template, segment or scenario.",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "TAG, TEMPLATE, SEGMENT or SCENARIO." }),
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
    errors: { types: [YamlSyntaxError, ...mutationErrors], dataField: { name: "result" } },
    args: {
      bundle: t.arg({ type: "JSONObject", description: "The bundle as JSON; or give `yaml`." }),
      yaml: t.arg.string({
        description:
          "The bundle as YAML text (as `exportScenariosYaml` writes it); or give `bundle`.",
      }),
      dryRun: t.arg.boolean({ description: "List the changes and write nothing." }),
    },
    resolve: (_root, args, context) => {
      if ((args.bundle == null) === (args.yaml == null)) {
        throw InvalidInputError.field(["bundle"], "give either bundle or yaml");
      }
      const bundle = args.yaml != null ? parseBundleYaml(args.yaml) : args.bundle;
      return importScenarios(workspaceOf(context.principal), bundle as never, {
        dryRun: args.dryRun ?? false,
      });
    },
  }),
);
