import { describe, expect, it } from "vitest";
import {
  makeTemplateEngine,
  renderEmail,
  TemplateErrorKind,
  TemplateRenderError,
} from "../src/index.ts";
import { sampleData } from "./sample-data.ts";

const engine = makeTemplateEngine({ strict: true });

async function renderError(promise: Promise<unknown>): Promise<TemplateRenderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TemplateRenderError);
  return error as TemplateRenderError;
}

describe("renderEmail", () => {
  it("wraps a fragment in the base layout with preheader, footer links and postal address", async () => {
    const email = await renderEmail(
      engine,
      { subject: "Hi {{ contact.first_name }}", preheader: "Sale ends soon", html: "<p>Body</p>" },
      sampleData(),
    );
    expect(email.subject).toBe("Hi Ada");
    expect(email.html).toMatch(/^<!DOCTYPE html>/);
    expect(email.html).toMatch(/<div class="preheader"[^>]*display:none[^>]*>Sale ends soon/);
    expect(email.html).toContain('href="https://acme.test/unsubscribe?t=1"');
    expect(email.html).toContain('href="https://acme.test/preferences?t=1"');
    expect(email.html).toContain("Acme GmbH, Hauptstraße 1, 10115 Berlin");
    expect(email.html).toMatch(/<p style="margin: 0 0 16px 0;">Body<\/p>/);
  });

  it("renders a full document as written, inlining its own CSS", async () => {
    const html =
      '<html><head><style>.x { color: red; }</style></head><body><p class="x">{{ shop.name }}</p></body></html>';
    const email = await renderEmail(engine, { subject: "S", html }, sampleData());
    expect(email.html).toBe(
      '<html><head></head><body><p class="x" style="color: red;">Acme</p></body></html>',
    );
  });

  it("escapes hostile contact data in HTML but not in subject or text", async () => {
    const data = sampleData({
      contact: { email: "x@y.z", first_name: '<script>alert("x")</script>' },
    });
    const email = await renderEmail(
      engine,
      {
        subject: "Hi {{ contact.first_name }}",
        html: "<p>Hi {{ contact.first_name }}</p>",
        text: "Hi {{ contact.first_name }}",
      },
      data,
    );
    expect(email.html).toContain("Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;");
    expect(email.html).not.toContain("<script>");
    expect(email.subject).toBe('Hi <script>alert("x")</script>');
    expect(email.text).toBe('Hi <script>alert("x")</script>');
  });

  it("emits trusted HTML with | raw", async () => {
    const data = { ...sampleData(), banner: "<b>Bold</b>" };
    const email = await renderEmail(
      engine,
      { subject: "S", html: "{{ banner | raw }}|{{ banner }}" },
      data,
    );
    expect(email.html).toContain("<b>Bold</b>|&lt;b&gt;Bold&lt;/b&gt;");
  });

  it("derives the text part from the HTML when none is written", async () => {
    const email = await renderEmail(
      engine,
      {
        subject: "S",
        preheader: "Hidden",
        html: '<h1>Hello</h1><p>Visit <a href="https://acme.test/s">our shop</a></p>',
      },
      sampleData(),
    );
    expect(email.text).toMatch(/^Hello\n\nVisit our shop \(https:\/\/acme\.test\/s\)\n/);
    expect(email.text).toMatch(/Unsubscribe\s\(https:\/\/acme\.test\/unsubscribe\?t=1\)/);
    expect(email.text).not.toContain("Hidden");
  });

  it("collapses whitespace in subject and preheader", async () => {
    const email = await renderEmail(
      engine,
      { subject: "  Hello\n  {{ contact.first_name }}\n", preheader: "a\n\nb", html: "<p>x</p>" },
      sampleData(),
    );
    expect(email.subject).toBe("Hello Ada");
    expect(email.preheader).toBe("a b");
  });

  it("parses each source once", async () => {
    const cached = makeTemplateEngine();
    const source = { subject: "S {{ contact.first_name }}", html: "<p>{{ contact.email }}</p>" };
    await renderEmail(cached, source, sampleData());
    await renderEmail(cached, { ...source }, sampleData());
    expect(cached.compiledEmails.size).toBe(1);
  });
});

describe("renderEmail errors", () => {
  it("reports a missing variable in strict mode with the author's line and column", async () => {
    const html = '<p class="muted">Hello</p>\n<p>Dear {{ contact.nickname }}</p>';
    const error = await renderError(renderEmail(engine, { subject: "S", html }, sampleData()));
    expect(error).toMatchObject({
      kind: TemplateErrorKind.UndefinedVariable,
      part: "html",
      line: 2,
      column: 12, // where `contact.nickname` starts, inside the {{ }}
      message: "undefined variable: contact.nickname",
    });
  });

  it("renders a missing variable as empty when not strict", async () => {
    const lenient = makeTemplateEngine();
    const email = await renderEmail(
      lenient,
      { subject: "[{{ nope }}]", html: "<p>x</p>" },
      sampleData(),
    );
    expect(email.subject).toBe("[]");
  });

  it("names the part for subject errors", async () => {
    const error = await renderError(
      renderEmail(
        engine,
        { subject: "Hi {{ contact.first_name | shout }}", html: "<p></p>" },
        sampleData(),
      ),
    );
    expect(error).toMatchObject({
      kind: TemplateErrorKind.Parse,
      part: "subject",
      line: 1,
      column: 4,
    });
  });

  it("reports Liquid syntax errors with position", async () => {
    const error = await renderError(
      renderEmail(
        engine,
        { subject: "S", html: "<p>ok</p>\n\n  {% if contact.first_name %}open" },
        sampleData(),
      ),
    );
    expect(error).toMatchObject({
      kind: TemplateErrorKind.Parse,
      part: "html",
      line: 3,
      column: 3,
    });
    expect(error.message).toMatch(/not closed/);
  });
});
