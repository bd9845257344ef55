import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { h, notice, show } from "../dom.ts";
import type { Credentials } from "../session.ts";

interface RenderError {
  __typename: "TemplateRenderError";
  message: string;
  kind: string;
  part: string;
  line: number | null;
  column: number | null;
  file: string | null;
}
type Preview = { subject: string; preheader: string; html: string };

const templateQuery = `query($id: ID!) { template(id: $id) { id name version subject preheader html } }`;

const previewQuery = `query PreviewDraft($input: PreviewTemplateInput!) {
  previewTemplate(input: $input) {
    __typename
    ... on QueryPreviewTemplateSuccess { preview { subject preheader html } }
    ... on TemplateRenderError { kind part line column file }
    ${mutationErrorFields}
  }
}`;

const saveMutation = `mutation Save($input: UpdateTemplateInput!) {
  updateTemplate(input: $input) {
    __typename
    ... on MutationUpdateTemplateSuccess { template { id version subject } }
    ... on TemplateRenderError { kind part line column file }
    ${mutationErrorFields}
  }
}`;

type Outcome<Success> = Success | RenderError | MutationError;

const parts = ["subject", "preheader", "html"] as const;
type Part = (typeof parts)[number];

/** "Unknown tag… (line 2, column 3)" for a Liquid error, as the API locates it. */
function renderErrorText(error: RenderError): string {
  const where = [
    error.file && `in ${error.file}`,
    error.line && `line ${error.line}`,
    error.column && `column ${error.column}`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${error.message}${where ? ` (${where})` : ""}`;
}

/**
 * Edits a template's subject, preheader and HTML with a live preview: every change (debounced)
 * renders through `previewTemplate` with the unsaved fields as `draft`; "Save" is
 * `updateTemplate`. Liquid errors show under the field they are in, with line and column.
 */
export async function templateEditor(
  credentials: Credentials,
  id: string,
  onSaved: (template: { id: string; version: number; subject: string }) => void,
): Promise<HTMLElement> {
  const { template } = await gql<{
    template: {
      id: string;
      name: string;
      version: number;
      subject: string;
      preheader: string | null;
      html: string;
    } | null;
  }>(credentials, templateQuery, { id });
  if (!template) return notice("error", "This template no longer exists.", "template-editor-error");

  const inputs: Record<Part, HTMLInputElement | HTMLTextAreaElement> = {
    subject: h("input", {
      value: template.subject,
      testid: "editor-subject",
      id: "editor-subject",
    }),
    preheader: h("input", {
      value: template.preheader ?? "",
      testid: "editor-preheader",
      id: "editor-preheader",
      placeholder: "The line inboxes show after the subject",
    }),
    html: h("textarea", {
      testid: "editor-html",
      id: "editor-html",
      rows: 22,
      spellcheck: "false",
    }),
  };
  inputs.html.value = template.html;
  const slots = Object.fromEntries(
    parts.map((part) => [
      part,
      h("span", { class: "field-error", role: "alert", testid: `editor-error-${part}` }),
    ]),
  ) as Record<Part, HTMLElement>;
  const status = h("div", { testid: "editor-status" });
  const version = h("span", { class: "chip", testid: "editor-version" }, `v${template.version}`);
  const previewSubject = h("strong", { testid: "editor-preview-subject" });
  const previewPreheader = h("span", { class: "muted", testid: "editor-preview-preheader" });
  const previewFrame = (html: string) =>
    h("iframe", {
      sandbox: "",
      srcdoc: html,
      title: `${template.name} live preview`,
      testid: "editor-preview-html",
    });
  let frame = previewFrame("");
  const previewState = h("span", { class: "preview-state", testid: "editor-preview-state" });

  const fields = () => ({
    subject: inputs.subject.value,
    preheader: inputs.preheader.value === "" ? null : inputs.preheader.value,
    html: inputs.html.value,
  });

  /** Puts a failure beside its field; what has no field goes to `status`. */
  const showErrors = (outcome: RenderError | MutationError | null, where: HTMLElement) => {
    for (const slot of Object.values(slots)) show(slot);
    if (!outcome) return;
    if (outcome.__typename === "TemplateRenderError") {
      const slot = slots[outcome.part as Part];
      if (slot) show(slot, renderErrorText(outcome));
      else show(where, notice("error", `${outcome.part}: ${renderErrorText(outcome)}`));
      return;
    }
    if (outcome.__typename === "InvalidInputError") {
      const rest = outcome.problems.filter((problem) => {
        const slot = slots[problem.path.at(-1) as Part];
        if (slot) show(slot, problem.message);
        return !slot;
      });
      if (rest.length > 0)
        show(where, notice("error", describeMutationError({ ...outcome, problems: rest })));
      return;
    }
    show(where, notice("error", describeMutationError(outcome)));
  };

  let latest = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function refresh() {
    const request = ++latest;
    show(previewState, "Rendering…");
    try {
      const { previewTemplate: outcome } = await gql<{
        previewTemplate: Outcome<{ __typename: "QueryPreviewTemplateSuccess"; preview: Preview }>;
      }>(credentials, previewQuery, { input: { templateId: template?.id, draft: fields() } });
      if (request !== latest) return;
      if (outcome.__typename === "QueryPreviewTemplateSuccess") {
        showErrors(null, status);
        show(previewState, "Up to date");
        previewState.className = "preview-state ok";
        show(previewSubject, outcome.preview.subject);
        show(previewPreheader, outcome.preview.preheader);
        // A new frame per render: Chromium can keep the old layout width when srcdoc changes.
        const next = previewFrame(outcome.preview.html);
        frame.replaceWith(next);
        frame = next;
      } else {
        // The last good render stays, dimmed, until the error is fixed.
        show(previewState, "Last good render: fix the marked field");
        previewState.className = "preview-state stale";
        showErrors(outcome, status);
      }
    } catch (error) {
      if (request === latest) show(status, notice("error", describeFailure(error)));
    }
  }
  const onEdit = () => {
    show(status);
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 250);
  };
  for (const input of Object.values(inputs)) input.addEventListener("input", onEdit);

  const save = h(
    "button",
    {
      testid: "editor-save",
      onclick: async () => {
        save.disabled = true;
        show(status, notice("info", "Saving…"));
        try {
          const { updateTemplate: outcome } = await gql<{
            updateTemplate: Outcome<{
              __typename: "MutationUpdateTemplateSuccess";
              template: { id: string; version: number; subject: string };
            }>;
          }>(credentials, saveMutation, { input: { id: template?.id, fields: fields() } });
          if (outcome.__typename === "MutationUpdateTemplateSuccess") {
            showErrors(null, status);
            show(version, `v${outcome.template.version}`);
            show(
              status,
              notice("info", `Saved as version ${outcome.template.version}.`, "editor-saved"),
            );
            onSaved(outcome.template);
          } else {
            show(
              status,
              notice("error", "Not saved: fix the marked field first.", "editor-not-saved"),
            );
            showErrors(outcome, status);
          }
        } catch (error) {
          show(status, notice("error", describeFailure(error)));
        } finally {
          save.disabled = false;
        }
      },
    },
    "Save",
  );

  const field = (part: Part, label: string) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `editor-${part}` }, label),
      inputs[part],
      slots[part],
    );
  void refresh();
  return h(
    "section",
    { class: "panel template-editor", testid: "template-editor" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Edit ", template.name, " ", version),
      h("div", { class: "actions" }, save),
    ),
    h(
      "div",
      { class: "editor-layout" },
      h(
        "div",
        { class: "editor-fields" },
        field("subject", "Subject"),
        field("preheader", "Preheader"),
        field("html", "HTML (Liquid)"),
        status,
      ),
      h(
        "div",
        { class: "editor-preview" },
        h(
          "div",
          { class: "preview-head" },
          h("span", { class: "muted" }, "Live preview"),
          previewState,
        ),
        h("div", { class: "inbox-line" }, previewSubject, previewPreheader),
        frame,
      ),
    ),
  );
}
