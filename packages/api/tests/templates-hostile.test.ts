import { decodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { changedTables, connectFingerprints } from "./support/database-fingerprint.ts";
import { createTestWorkspace, makeTestApi } from "./support/index.ts";

/**
 * Hostile Liquid through the API, not only in the templates package: each is refused with a
 * TemplateRenderError (kind LIMIT, or the field named by InvalidInputError) well inside a
 * bounded time, and the refusal writes nothing.
 */
const api = makeTestApi();
// The render budget is 1 s a part (html and its text part may each spend it): 5 s bounds it well.
const bound = 5_000;
let shop: Awaited<ReturnType<typeof createTestWorkspace>>;
let fingerprints: Awaited<ReturnType<typeof connectFingerprints>>;

beforeAll(async () => {
  fingerprints = await connectFingerprints();
});
afterAll(() => fingerprints.end());
beforeEach(async () => {
  shop = await createTestWorkspace(api);
});

const errorFields = `__typename
  ... on TemplateRenderError { message part kind }
  ... on InvalidInputError { problems { path message } }`;
const create = `mutation($input: CreateTemplateInput!) {
  createTemplate(input: $input) { ${errorFields} ... on MutationCreateTemplateSuccess { template { id } } }
}`;
const preview = `query($input: PreviewTemplateInput!) {
  previewTemplate(input: $input) { ${errorFields} ... on QueryPreviewTemplateSuccess { preview { html } } }
}`;
const sendTest = `mutation($input: SendTestEmailInput!) {
  sendTestEmail(input: $input) { ${errorFields} ... on MutationSendTestEmailSuccess { testMessage { status statusReason } } }
}`;

/** Runs `call`, checks it took less than `bound` ms and wrote nothing, and returns its answer. */
async function refusedQuickly<T>(call: () => Promise<T>): Promise<T> {
  const before = await fingerprints.all();
  const started = performance.now();
  const answer = await call();
  expect(performance.now() - started).toBeLessThan(bound);
  expect(changedTables(before, await fingerprints.all())).toEqual([]);
  return answer;
}

const hostile: [string, string, RegExp][] = [
  [
    "nested loops that would run for hours",
    "{% for i in (1..50000) %}{% for j in (1..50000) %}{% assign k = j %}{% endfor %}{% endfor %}",
    /render limit/,
  ],
  ["a huge range", "{% for i in (1..100000000) %}x{% endfor %}", /memory alloc limit/],
  [
    "a string doubled until it fills memory",
    "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
    /memory alloc limit/,
  ],
  [
    "output past the size cap",
    `{% for i in (1..9000) %}${"<p>padding</p>".repeat(20)}{% endfor %}`,
    /output length limit/,
  ],
  [
    "partials rendered a million times",
    "{% for i in (1..1000) %}{% for j in (1..1000) %}{% render 'button', url: 'https://shop.example', label: 'x' %}{% endfor %}{% endfor %}",
    /limit/,
  ],
];

describe("hostile templates through the API", () => {
  for (const [what, html, message] of hostile) {
    it(`createTemplate refuses ${what} with a LIMIT error`, async () => {
      const { createTemplate } = await refusedQuickly(() =>
        api.data(
          create,
          { input: { name: "Evil", kind: "MARKETING", subject: "Hi", html } },
          shop.secretKey,
        ),
      );
      expect(createTemplate).toMatchObject({
        __typename: "TemplateRenderError",
        kind: "LIMIT",
        part: "html",
      });
      expect(createTemplate.message).toMatch(message);
    });
  }

  it("createTemplate refuses deep nesting of blocks with a typed error, not a crash", async () => {
    const depth = 5_000;
    const html = `${"{% if true %}".repeat(depth)}x${"{% endif %}".repeat(depth)}`;
    const { createTemplate } = await refusedQuickly(() =>
      api.data(
        create,
        { input: { name: "Deep", kind: "MARKETING", subject: "Hi", html } },
        shop.secretKey,
      ),
    );
    expect(createTemplate).toMatchObject({ __typename: "TemplateRenderError", part: "html" });
  });

  it("createTemplate refuses a source longer than the limit, naming the field", async () => {
    const html = `<p>${"x".repeat(500_001)}</p>`;
    const { createTemplate } = await refusedQuickly(() =>
      api.data(
        create,
        { input: { name: "Long", kind: "MARKETING", subject: "Hi", html } },
        shop.secretKey,
      ),
    );
    expect(createTemplate.__typename).toBe("InvalidInputError");
    expect(createTemplate.problems[0].path).toEqual(["html"]);
  });

  it("createTemplate cannot include files from disk or partials that do not exist", async () => {
    const html = "{% include '/etc/passwd' %}{% render '../../package.json' %}";
    const { createTemplate } = await refusedQuickly(() =>
      api.data(
        create,
        { input: { name: "Disk", kind: "MARKETING", subject: "Hi", html } },
        shop.secretKey,
      ),
    );
    expect(createTemplate).toMatchObject({ __typename: "TemplateRenderError", part: "html" });
    expect(createTemplate.message).not.toMatch(/root:/);
  });

  describe("a template that is only hostile with the data it is given", () => {
    const html =
      "{% for i in (1..n) %}{% for j in (1..n) %}{% assign k = j %}{% endfor %}{% endfor %}";
    let templateId: string;

    beforeEach(async () => {
      const { createTemplate } = await api.data(
        create,
        { input: { name: "Data bomb", kind: "MARKETING", subject: "Hi", html } },
        shop.secretKey,
      );
      expect(createTemplate.__typename).toBe("MutationCreateTemplateSuccess");
      templateId = createTemplate.template.id;
    });

    it("previewTemplate refuses it with a LIMIT error", async () => {
      const { previewTemplate } = await refusedQuickly(() =>
        api.data(preview, { input: { templateId, sampleData: { n: 100_000 } } }, shop.secretKey),
      );
      expect(previewTemplate).toMatchObject({ __typename: "TemplateRenderError", kind: "LIMIT" });
    });

    it("previewTemplate refuses a hostile draft and saves nothing", async () => {
      const draft = { html: "{% for i in (1..100000000) %}x{% endfor %}" };
      const { previewTemplate } = await refusedQuickly(() =>
        api.data(preview, { input: { templateId, draft } }, shop.secretKey),
      );
      expect(previewTemplate).toMatchObject({ __typename: "TemplateRenderError", kind: "LIMIT" });
    });

    it("sendTestEmail refuses it with a LIMIT error and records no message", async () => {
      const { sendTestEmail } = await refusedQuickly(() =>
        api.data(
          sendTest,
          { input: { templateId, to: "me@shop.example", sampleData: { n: 100_000 } } },
          shop.secretKey,
        ),
      );
      expect(sendTestEmail).toMatchObject({ __typename: "TemplateRenderError", kind: "LIMIT" });
      const harmless = await api.data(
        sendTest,
        { input: { templateId, to: "me@shop.example", sampleData: { n: 2 } } },
        shop.secretKey,
      );
      expect(harmless.sendTestEmail.__typename).toBe("MutationSendTestEmailSuccess");
    });

    it("sendEmail queues it; delivering it fails the message with the limit, in bounded time", async () => {
      await api.data(
        `mutation($input: UpdateEmailSettingsInput!) { updateEmailSettings(input: $input) { __typename } }`,
        {
          input: {
            shopName: "Shop",
            shopUrl: "https://shop.example",
            postalAddress: "1 Main Street",
            supportEmail: "help@shop.example",
            fromEmail: "hello@shop.example",
            consentRequired: false,
          },
        },
        shop.secretKey,
      );
      const { upsertContact } = await api.data(
        `mutation { upsertContact(input: { email: "ada@shop.example" }) {
          ... on MutationUpsertContactSuccess { result { contact { id } } } } }`,
        {},
        shop.secretKey,
      );
      const { sendEmail } = await api.data(
        `mutation($input: SendEmailInput!) { sendEmail(input: $input) {
          __typename ... on MutationSendEmailSuccess { result { message { id } } } } }`,
        {
          input: {
            templateId,
            contactId: upsertContact.result.contact.id,
            idempotencyKey: "bomb-1",
            data: { n: 100_000 },
          },
        },
        shop.secretKey,
      );
      expect(sendEmail.__typename).toBe("MutationSendEmailSuccess");
      const started = performance.now();
      const result = await deliverMessage(decodeGlobalID(sendEmail.result.message.id).id);
      expect(performance.now() - started).toBeLessThan(bound);
      expect(result).toMatchObject({ status: "FAILED" });
      expect((result as { reason: string }).reason).toMatch(/^TEMPLATE_ERROR: .*render limit/);
    });
  });
});
