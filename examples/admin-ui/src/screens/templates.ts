import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";
import { templateEditor } from "./template-editor.ts";

interface TemplateRow {
  id: string;
  name: string;
  kind: string;
  subject: string;
  version: number;
  libraryKey: string | null;
  updatedAt: string;
}

const templatesQuery = `{
  templates(first: 100) {
    totalCount
    edges { node { id name kind subject version libraryKey updatedAt } }
  }
}`;

const previewQuery = `query PreviewTemplate($input: PreviewTemplateInput!) {
  previewTemplate(input: $input) {
    __typename
    ... on QueryPreviewTemplateSuccess { preview { subject preheader html text } }
    ... on TemplateRenderError { kind part line column file }
    ${mutationErrorFields}
  }
}`;

type PreviewOutcome =
  | {
      __typename: "QueryPreviewTemplateSuccess";
      preview: { subject: string; preheader: string; html: string; text: string };
    }
  | {
      __typename: "TemplateRenderError";
      message: string;
      kind: string;
      part: string;
      line: number | null;
      column: number | null;
      file: string | null;
    }
  | MutationError;

/** Email templates, their rendered preview (`previewTemplate`), and an editor with a live preview. */
export async function showTemplates(container: HTMLElement, { credentials }: ScreenContext) {
  const { templates } = await gql<{
    templates: { totalCount: number; edges: { node: TemplateRow }[] };
  }>(credentials, templatesQuery);
  const preview = h("div", { testid: "template-preview" });

  async function edit(template: TemplateRow, row: HTMLElement) {
    show(preview, notice("info", `Opening ${template.name}…`));
    try {
      const editor = await templateEditor(credentials, template.id, (saved) => {
        const cells = row.querySelectorAll("td");
        show(cells[2] as HTMLElement, saved.subject);
        show(cells[3] as HTMLElement, String(saved.version));
      });
      show(preview, editor);
    } catch (error) {
      show(preview, notice("error", describeFailure(error), "template-preview-error"));
    }
  }

  async function render(template: TemplateRow) {
    show(preview, notice("info", `Rendering ${template.name}…`));
    try {
      const { previewTemplate: outcome } = await gql<{ previewTemplate: PreviewOutcome }>(
        credentials,
        previewQuery,
        {
          input: { templateId: template.id },
        },
      );
      switch (outcome.__typename) {
        case "QueryPreviewTemplateSuccess":
          return show(
            preview,
            h("h2", {}, template.name),
            h(
              "p",
              {},
              h("strong", {}, "Subject: "),
              h("span", { testid: "template-preview-subject" }, outcome.preview.subject),
            ),
            h("p", { class: "muted" }, outcome.preview.preheader),
            // The email's own HTML, isolated from the admin: no scripts, no access to this page.
            h("iframe", {
              testid: "template-preview-html",
              sandbox: "",
              srcdoc: outcome.preview.html,
              title: `${template.name} preview`,
            }),
          );
        case "TemplateRenderError": {
          const where = [
            outcome.file,
            outcome.line && `line ${outcome.line}`,
            outcome.column && `column ${outcome.column}`,
          ]
            .filter(Boolean)
            .join(", ");
          return show(
            preview,
            notice(
              "error",
              `${outcome.kind} error in ${outcome.part}${where ? ` (${where})` : ""}: ${outcome.message}`,
              "template-preview-error",
            ),
          );
        }
        default:
          return show(
            preview,
            notice("error", describeMutationError(outcome), "template-preview-error"),
          );
      }
    } catch (error) {
      show(preview, notice("error", describeFailure(error), "template-preview-error"));
    }
  }

  show(
    container,
    h("h1", {}, "Templates"),
    h("p", { class: "muted", testid: "templates-total" }, `${templates.totalCount} templates`),
    h(
      "table",
      { testid: "templates-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Kind", "Subject", "Version", "Updated", ""].map((title) => h("th", {}, title)),
        ),
      ),
      h(
        "tbody",
        {},
        templates.edges.map(({ node }) => {
          const row = h(
            "tr",
            { testid: "template-row", "data-template": node.libraryKey ?? node.name },
            h("td", {}, node.name),
            h("td", {}, node.kind),
            h("td", {}, node.subject),
            h("td", { class: "number" }, node.version),
            h("td", {}, formatDate(node.updatedAt)),
            h(
              "td",
              { class: "row-actions" },
              h(
                "button",
                {
                  class: "link",
                  testid: "template-preview-button",
                  onclick: () => void render(node),
                },
                "Preview",
              ),
              h(
                "button",
                {
                  class: "link",
                  testid: "template-edit-button",
                  onclick: () => void edit(node, row),
                },
                "Edit",
              ),
            ),
          );
          return row;
        }),
      ),
    ),
    preview,
  );
}
