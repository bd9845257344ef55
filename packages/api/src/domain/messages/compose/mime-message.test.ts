import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { buildMimeMessage, type MimeMessageInput } from "./mime-message.ts";

const messageId = "11111111-2222-4333-8444-555555555555";
const base: MimeMessageInput = {
  messageId,
  from: { name: "Northwind", address: "hello@northwind.example" },
  to: { name: "Ada Lovelace", address: "ada@example.com" },
  subject: "Your cart is waiting",
  html: "<p>Hello <b>Ada</b></p>",
  text: "Hello Ada",
  date: new Date("2026-12-03T10:00:00Z"),
};

const parse = (input: Partial<MimeMessageInput>) =>
  simpleParser(buildMimeMessage({ ...base, ...input }));

describe("buildMimeMessage", () => {
  it("writes multipart/alternative with the text part first, and our ids", async () => {
    const raw = buildMimeMessage(base).toString();
    expect(raw).toMatch(/^Content-Type: multipart\/alternative; boundary="/m);
    expect(raw.indexOf("text/plain")).toBeLessThan(raw.indexOf("text/html"));
    const parsed = await simpleParser(raw);
    expect(parsed.text?.trim()).toBe("Hello Ada");
    expect(parsed.html).toBe("<p>Hello <b>Ada</b></p>");
    expect(parsed.messageId).toBe(`<${messageId}@northwind.example>`);
    expect(parsed.headers.get("x-cartwheel-message-id")).toBe(messageId);
    expect(parsed.date?.toISOString()).toBe("2026-12-03T10:00:00.000Z");
    expect(parsed.from?.value).toEqual([{ name: "Northwind", address: "hello@northwind.example" }]);
  });

  it("encodes UTF-8 subjects and names, and quotes names with specials", async () => {
    const subject = `Ihr Warenkorb wartet 🛒 — ${"sehr lange Betreffzeile ".repeat(6)}`.trim();
    const parsed = await parse({
      subject,
      from: { name: "Nörthwind, Goods", address: "hello@northwind.example" },
      to: { name: 'Ada "Countess" Lovelace', address: "ada@example.com" },
    });
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value[0]?.name).toBe("Nörthwind, Goods");
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value[0]).toEqual({ name: 'Ada "Countess" Lovelace', address: "ada@example.com" });
  });

  it("keeps every line within 998 characters and base64 lines at 76", () => {
    const raw = buildMimeMessage({
      ...base,
      subject: "word ".repeat(400).trim(),
      html: `<p>${"é".repeat(5000)}</p>`,
    }).toString();
    const lines = raw.split("\r\n");
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
    expect(raw.split("\n").every((line) => line.endsWith("\r") || line === "")).toBe(true);
    const body = lines.filter((line) => /^[A-Za-z0-9+/=]{20,}$/.test(line));
    expect(body.length).toBeGreaterThan(10);
    expect(body.every((line) => line.length <= 76)).toBe(true);
  });

  it("folds a long ASCII subject and parses back to the same text", async () => {
    const subject = "word ".repeat(40).trim();
    expect((await parse({ subject })).subject).toBe(subject);
  });

  it("adds RFC 8058 one-click List-Unsubscribe headers for marketing mail only", async () => {
    const raw = buildMimeMessage({
      ...base,
      listUnsubscribe: { url: "https://t.example/u/1", mailto: "mailto:u@t.example?subject=u%201" },
    }).toString();
    expect(raw).toContain(
      "List-Unsubscribe: <https://t.example/u/1>, <mailto:u@t.example?subject=u%201>\r\n",
    );
    expect(raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    const transactional = await parse({ listUnsubscribe: null });
    expect(transactional.headers.has("list-unsubscribe")).toBe(false);
    expect(transactional.headers.has("list")).toBe(false);
  });

  it("cannot be made to add headers through a name or subject with line breaks", async () => {
    const parsed = await parse({
      subject: "Hi\r\nBcc: victim@example.com",
      to: { name: "Ada\r\nBcc: victim@example.com", address: "ada@example.com" },
    });
    expect(parsed.headers.has("bcc")).toBe(false);
    expect(parsed.subject).toBe("Hi Bcc: victim@example.com");
  });

  it("writes an internationalised sender domain in punycode", () => {
    const raw = buildMimeMessage({
      ...base,
      from: { name: "Shop", address: "hello@bücher.example" },
    }).toString();
    expect(raw).toContain("From: Shop <hello@xn--bcher-kva.example>\r\n");
    expect(raw).toContain(`Message-ID: <${messageId}@xn--bcher-kva.example>\r\n`);
  });

  it("gives every message its own boundary", () => {
    const boundary = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString())?.[1];
    expect(boundary(buildMimeMessage(base))).not.toBe(boundary(buildMimeMessage(base)));
  });
});
