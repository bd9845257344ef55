import { libraryTemplates } from "@cartwheel/templates";
import { beforeEach, describe, expect, it } from "vitest";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

const api = makeTestApi();
let key: string;
let makeKey: Awaited<ReturnType<typeof createTestWorkspace>>["makeKey"];

beforeEach(async () => {
  ({ secretKey: key, makeKey } = await createTestWorkspace(api));
});

const create = `mutation($input: CreateTemplateInput!) {
  createTemplate(input: $input) {
    __typename
    ... on MutationCreateTemplateSuccess { template { id name kind version subject versions { version subject } } }
    ... on TemplateRenderError { message part line column kind }
    ... on InvalidInputError { problems { path message } }
  }
}`;
const update = `mutation($input: UpdateTemplateInput!) {
  updateTemplate(input: $input) {
    __typename
    ... on MutationUpdateTemplateSuccess { template { id version subject versions { version subject } } }
    ... on TemplateRenderError { message part line column }
    ... on NotFoundError { entity }
  }
}`;
const preview = `query($input: PreviewTemplateInput!) {
  previewTemplate(input: $input) {
    __typename
    ... on QueryPreviewTemplateSuccess { preview { subject preheader html text } }
    ... on TemplateRenderError { message part line column kind }
    ... on NotFoundError { entity }
  }
}`;

const welcome = {
  name: "Welcome",
  kind: "MARKETING",
  subject: "Welcome, {{ contact.first_name }}",
  html: "<p>Hi {{ contact.first_name }}, welcome to {{ shop.name }}.</p>",
};

async function createWelcome(apiKey = key) {
  const { createTemplate } = await api.data(create, { input: welcome }, apiKey);
  return createTemplate.template as { id: string; version: number };
}

describe("templates", () => {
  it("creates version 1 and makes a new version only when the content changes", async () => {
    const template = await createWelcome();
    expect(template).toMatchObject({ version: 1 });
    const changed = await api.data(
      update,
      { input: { id: template.id, fields: { subject: "Hello {{ contact.first_name }}" } } },
      key,
    );
    expect(changed.updateTemplate.template).toMatchObject({
      version: 2,
      versions: [
        { version: 2, subject: "Hello {{ contact.first_name }}" },
        { version: 1, subject: welcome.subject },
      ],
    });
    const same = await api.data(
      update,
      { input: { id: template.id, fields: { subject: "Hello {{ contact.first_name }}" } } },
      key,
    );
    expect(same.updateTemplate.template.version).toBe(2);
  });

  it("returns a Liquid syntax error with its part, line and column, and stores nothing", async () => {
    const { createTemplate } = await api.data(
      create,
      { input: { ...welcome, html: "<p>ok</p>\n<p>{% if contact.first_name %}unclosed</p>" } },
      key,
    );
    expect(createTemplate).toMatchObject({
      __typename: "TemplateRenderError",
      part: "html",
      line: 2,
      kind: "PARSE",
    });
    expect(createTemplate.column).toBeGreaterThan(0);
    const { templates } = await api.data("{ templates { totalCount } }", {}, key);
    expect(templates.totalCount).toBe(0);
  });

  it("installs the library once, however often it is asked", async () => {
    const install = `mutation { installTemplateLibrary { __typename ... on MutationInstallTemplateLibrarySuccess { result { installedCount templates { libraryKey kind version } } } } }`;
    const first = await api.data(install, {}, key);
    expect(first.installTemplateLibrary.result.installedCount).toBe(libraryTemplates.length);
    const second = await api.data(install, {}, key);
    expect(second.installTemplateLibrary.result.installedCount).toBe(0);
    expect(second.installTemplateLibrary.result.templates).toHaveLength(libraryTemplates.length);
    const { templates } = await api.data("{ templates { totalCount } }", {}, key);
    expect(templates.totalCount).toBe(libraryTemplates.length);
  });

  it("previews a library template with its fixture, as a contact, and with sample data", async () => {
    await api.data(
      `mutation { installTemplateLibrary(input: { keys: ["abandoned-cart"] }) { __typename } }`,
      {},
      key,
    );
    const { templates } = await api.data("{ templates { edges { node { id } } } }", {}, key);
    const templateId = templates.edges[0].node.id;
    const fixture = await api.data(preview, { input: { templateId } }, key);
    expect(fixture.previewTemplate.preview.subject).toBe("Jane, you left something in your cart");
    expect(fixture.previewTemplate.preview.html).toContain("Wool Cushion Cover");

    const { upsertContact } = await api.data(
      `mutation { upsertContact(input: { email: "ada@example.com", firstName: "Ada" }) { ... on MutationUpsertContactSuccess { result { contact { id } } } } }`,
      {},
      key,
    );
    const asAda = await api.data(
      preview,
      { input: { templateId, contactId: upsertContact.result.contact.id } },
      key,
    );
    expect(asAda.previewTemplate.preview.subject).toBe("Ada, you left something in your cart");

    const missing = await api.data(
      preview,
      { input: { templateId, sampleData: { coupon: "X" } } },
      key,
    );
    expect(missing.previewTemplate).toMatchObject({
      __typename: "TemplateRenderError",
      kind: "UNDEFINED_VARIABLE",
    });
    expect(missing.previewTemplate.line).toBeGreaterThan(0);
  });

  it("previews unsaved changes in place of the saved fields, saving nothing", async () => {
    const template = await createWelcome();
    const draft = await api.data(
      preview,
      {
        input: {
          templateId: template.id,
          draft: { subject: "Hello {{ contact.first_name | upcase }}", html: "<p>Draft body</p>" },
        },
      },
      key,
    );
    expect(draft.previewTemplate.preview.subject).toBe("Hello JANE");
    expect(draft.previewTemplate.preview.html).toContain("Draft body");
    const broken = await api.data(
      preview,
      { input: { templateId: template.id, draft: { html: "<p>\n{% if %}</p>" } } },
      key,
    );
    expect(broken.previewTemplate).toMatchObject({
      __typename: "TemplateRenderError",
      part: "html",
    });
    expect(broken.previewTemplate.line).toBe(2);
    const empty = await api.data(
      `query($input: PreviewTemplateInput!) { previewTemplate(input: $input) {
        __typename ... on InvalidInputError { problems { path } } } }`,
      { input: { templateId: template.id, draft: { subject: "" } } },
      key,
    );
    expect(empty.previewTemplate).toEqual({
      __typename: "InvalidInputError",
      problems: [{ path: ["draft", "subject"] }],
    });
    const { template: saved } = await api.data(
      "query($id: ID!) { template(id: $id) { version subject html } }",
      { id: template.id },
      key,
    );
    expect(saved).toEqual({ version: 1, subject: welcome.subject, html: welcome.html });
  });

  it("archives a template out of the default list", async () => {
    const template = await createWelcome();
    await api.data(
      `mutation($input: ArchiveTemplateInput!) { archiveTemplate(input: $input) { __typename } }`,
      { input: { id: template.id } },
      key,
    );
    const active = await api.data("{ templates { totalCount } }", {}, key);
    const all = await api.data(
      "{ templates(includeArchived: true) { totalCount edges { node { archivedAt } } } }",
      {},
      key,
    );
    expect(active.templates.totalCount).toBe(0);
    expect(all.templates.totalCount).toBe(1);
    expect(all.templates.edges[0].node.archivedAt).not.toBeNull();
  });

  it("keeps workspaces apart and enforces scopes", async () => {
    const template = await createWelcome();
    const other = await createTestWorkspace(api);
    const read = await api.data(
      "query($id: ID!) { template(id: $id) { id } }",
      { id: template.id },
      other.secretKey,
    );
    expect(read.template).toBeNull();
    const write = await api.data(
      update,
      { input: { id: template.id, fields: { name: "Mine" } } },
      other.secretKey,
    );
    expect(write.updateTemplate.__typename).toBe("NotFoundError");
    const preview403 = await api.data(
      preview,
      { input: { templateId: template.id } },
      other.secretKey,
    );
    expect(preview403.previewTemplate.__typename).toBe("NotFoundError");

    const readOnly = await makeKey("SECRET", ["TEMPLATES_READ"]);
    const refused = await api.request(create, { input: welcome }, readOnly.key);
    expect(refused.data?.createTemplate?.__typename ?? refused.errors?.[0]?.message).toMatch(
      /ForbiddenError|Not authorized/,
    );
    const allowed = await api.data("{ templates { totalCount } }", {}, readOnly.key);
    expect(allowed.templates.totalCount).toBe(1);
  });
});
