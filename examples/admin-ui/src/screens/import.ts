import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import {
  type CsvRow,
  inBatches,
  parseContactsCsv,
  type RowError,
  rowErrors,
} from "../csv-import.ts";
import { h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";

const importMutation = `mutation Import($input: ImportContactsInput!) {
  importContacts(input: $input) {
    __typename
    ... on MutationImportContactsSuccess { result { createdCount updatedCount } }
    ${mutationErrorFields}
  }
}`;

type ImportOutcome =
  | {
      __typename: "MutationImportContactsSuccess";
      result: { createdCount: number; updatedCount: number };
    }
  | MutationError;

/**
 * Imports a CSV (`email, first_name, last_name, tags` with tags separated by `|`) with
 * `importContacts`, 1,000 rows per call. Each call is all or nothing: when one is refused, its
 * `InvalidInputError.problems` are shown per CSV line and the import stops there, so earlier
 * batches stay imported and later ones are not sent.
 */
export async function showImport(container: HTMLElement, { credentials }: ScreenContext) {
  const file = h("input", {
    type: "file",
    accept: ".csv,text/csv",
    testid: "csv-file",
    "aria-label": "CSV file",
  });
  const text = h("textarea", {
    testid: "csv-text",
    rows: 8,
    placeholder: "email,first_name,last_name,tags\nann@example.com,Ann,Lee,vip|newsletter",
    "aria-label": "CSV",
  });
  const submit = h("button", { type: "submit", testid: "import-submit" }, "Import");
  const result = h("div", { testid: "import-result" });
  const form = h(
    "form",
    { class: "card" },
    h(
      "p",
      {},
      "Columns: email, first_name, last_name, tags (separated by |). Choose a file or paste the CSV.",
    ),
    file,
    text,
    submit,
  );
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (chosen) text.value = await chosen.text();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await runImport(text.value);
    } finally {
      submit.disabled = false;
    }
  });

  async function runImport(csv: string) {
    const parsed = parseContactsCsv(csv);
    if ("error" in parsed) return show(result, notice("error", parsed.error, "import-error"));
    if (parsed.rows.length === 0)
      return show(result, notice("error", "The CSV has no rows.", "import-error"));
    const batches = inBatches(parsed.rows);
    let created = 0;
    let updated = 0;
    for (const [number, batch] of batches.entries()) {
      show(result, notice("info", `Importing batch ${number + 1} of ${batches.length}…`));
      let outcome: ImportOutcome;
      try {
        const data = await gql<{ importContacts: ImportOutcome }>(credentials, importMutation, {
          input: { contacts: batch.map((row) => row.contact) },
        });
        outcome = data.importContacts;
      } catch (error) {
        return show(
          result,
          notice("error", describeFailure(error), "import-error"),
          progress(number, created, updated),
        );
      }
      switch (outcome.__typename) {
        case "MutationImportContactsSuccess":
          created += outcome.result.createdCount;
          updated += outcome.result.updatedCount;
          break;
        case "InvalidInputError":
          return show(
            result,
            notice("error", `Batch ${number + 1} was refused: ${outcome.message}`, "import-error"),
            progress(number, created, updated),
            errorTable(rowErrors(outcome.problems, batch as CsvRow[])),
          );
        case "ForbiddenError":
        case "NotFoundError":
        case "ConflictError":
          return show(
            result,
            notice("error", describeMutationError(outcome), "import-error"),
            progress(number, created, updated),
          );
      }
    }
    show(
      result,
      notice(
        "info",
        `Imported ${parsed.rows.length} rows: ${created} created, ${updated} updated.`,
        "import-done",
      ),
    );
  }

  show(container, h("h1", {}, "Import contacts"), form, result);
}

function progress(batchIndex: number, created: number, updated: number) {
  return batchIndex === 0
    ? h("p", { class: "muted" }, "Nothing was imported.")
    : h(
        "p",
        { class: "muted" },
        `The ${batchIndex} batches before it were imported (${created} created, ${updated} updated); later batches were not sent.`,
      );
}

function errorTable(errors: RowError[]) {
  return h(
    "table",
    { testid: "import-errors" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Line", "Email", "Field", "Problem"].map((title) => h("th", {}, title)),
      ),
    ),
    h(
      "tbody",
      {},
      errors.map((error) =>
        h(
          "tr",
          { testid: "import-error-row", "data-line": error.line },
          h("td", { class: "number" }, error.line || "—"),
          h("td", {}, error.email),
          h("td", {}, error.field),
          h("td", {}, error.message),
        ),
      ),
    ),
  );
}
