import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { upsertContact } from "../src/domain/contacts/upsert-contact.ts";
import { deliverMessage } from "../src/domain/messages/delivery/deliver-message.ts";
import { updateEmailSettings } from "../src/domain/messages/email-settings.ts";
import { liveScenario, runsOf } from "./scenario-fixtures.ts";
import { createTestShop, shopOrigin } from "./support/events.ts";
import { type LocalSes, makeTestApi, startLocalSes } from "./support/index.ts";
import { runDueWork } from "./support/scenarios.ts";

const api = makeTestApi();
let ses: LocalSes;
beforeAll(async () => {
  ses = await startLocalSes();
});
afterAll(() => ses.close());

const browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15";

async function shop(doubleOptIn = true) {
  const created = await createTestShop(api);
  await updateEmailSettings(created.id, {
    shopName: "Northwind",
    postalAddress: "1 Main St",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 1000,
    doubleOptIn,
  });
  return created;
}

function subscribe(writeKey: string, body: Record<string, unknown>, origin = shopOrigin) {
  return api.app.request("http://cartwheel.test/v1/subscribe", {
    method: "POST",
    headers: {
      "content-type": "text/plain",
      origin,
      "user-agent": browser,
      "x-forwarded-for": "203.0.113.7",
    },
    body: JSON.stringify({ writeKey, ...body }),
  });
}

const contactBy = (workspaceId: string, email: string) =>
  db().contact.findFirstOrThrow({ where: { workspaceId, email } });

describe("double opt-in from the storefront", () => {
  it("leaves the signup PENDING, mails one signed link a day, and subscribes only when its button is pressed", async () => {
    const northwind = await shop();
    await liveScenario(northwind.id, {
      trigger: { kind: "event", event: "Subscribed" },
      start: "hello",
      nodes: [{ id: "hello", kind: "adjust_score", delta: 1, reason: "welcome" }],
    });
    const first = await subscribe(northwind.publicKey, {
      email: "Ada@Example.com",
      source: "footer-form",
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ outcome: "confirmation_sent" });
    const pending = await contactBy(northwind.id, "ada@example.com");
    expect(pending.consentStatus).toBe("PENDING");
    expect(pending.consentProof).toMatchObject({
      method: "double_opt_in",
      source: "footer-form",
      ip: "203.0.113.7",
      user_agent: browser,
    });
    const again = await subscribe(northwind.publicKey, {
      email: "ada@example.com",
      source: "popup",
    });
    expect(await again.json()).toEqual({ outcome: "confirmation_already_sent" });
    const messages = await db().message.findMany({ where: { contactId: pending.id } });
    expect(messages).toHaveLength(1);

    expect(await deliverMessage(messages[0]!.id, { sender: ses.sender })).toMatchObject({
      status: "SENT",
    });
    const [mail] = await ses.emails("ada@example.com");
    expect(mail?.subject).toBe("Please confirm your subscription to Northwind");
    // The button's link may be click-tracked: look in the HTML and in every tracked `url=`.
    const html = mail!.body.html!.replaceAll("&amp;", "&");
    const candidates = [
      html,
      ...[...html.matchAll(/url=([^"&\s]+)/g)].map((m) => decodeURIComponent(m[1]!)),
    ];
    const link = candidates
      .map(
        (text) => /https?:\/\/[^"\s]*\/email\/confirm\/[0-9a-f-]+\/[A-Za-z0-9_-]+/.exec(text)?.[0],
      )
      .find(Boolean);
    expect(link).toBeDefined();
    const path = new URL(link!).pathname;

    // A link scanner's GET changes nothing; a forged signature is refused.
    const page = await api.app.request(`http://cartwheel.test${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Yes, subscribe me");
    const forged = await api.app.request(
      `http://cartwheel.test${path.replace(/\/[^/]+$/, "/AAAAAAAAAAAAAAAAAAAAAA")}`,
      {
        method: "POST",
      },
    );
    expect(forged.status).toBe(404);
    expect((await contactBy(northwind.id, "ada@example.com")).consentStatus).toBe("PENDING");

    const confirmed = await api.app.request(`http://cartwheel.test${path}`, {
      method: "POST",
      headers: { "user-agent": browser, "x-forwarded-for": "198.51.100.4" },
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("subscribed");
    const subscribed = await contactBy(northwind.id, "ada@example.com");
    expect(subscribed.consentStatus).toBe("SUBSCRIBED");
    expect(subscribed.consentProof).toMatchObject({
      method: "double_opt_in",
      source: "footer-form",
      requested_at: expect.any(String),
      confirmed_at: expect.any(String),
      confirmation_ip: "198.51.100.4",
      confirmation_user_agent: browser,
    });
    expect(
      await db().event.count({ where: { contactId: subscribed.id, name: "Subscribed" } }),
    ).toBe(1);

    // Pressing it twice changes nothing more; the welcome scenario starts once, on Subscribed.
    await api.app.request(`http://cartwheel.test${path}`, { method: "POST" });
    expect(
      await db().event.count({ where: { contactId: subscribed.id, name: "Subscribed" } }),
    ).toBe(1);
    await runDueWork(new Date());
    const runs = await db().scenarioRun.findMany({ where: { contactId: subscribed.id } });
    expect(runs).toHaveLength(1);
    expect(await runsOf(runs[0]!.scenarioId)).toHaveLength(1);
  });

  it("never lets a browser rewrite an existing contact, and tells an existing subscriber apart", async () => {
    const northwind = await shop();
    await upsertContact(northwind.id, { email: "grace@example.com", firstName: "Grace" });
    await subscribe(northwind.publicKey, { email: "grace@example.com", firstName: "Mallory" });
    expect((await contactBy(northwind.id, "grace@example.com")).firstName).toBe("Grace");

    await upsertContact(northwind.id, {
      email: "sub@example.com",
      consent: { status: "SUBSCRIBED", source: "checkout" },
    });
    const already = await subscribe(northwind.publicKey, { email: "sub@example.com" });
    expect(await already.json()).toEqual({ outcome: "already_subscribed" });
    const subscriber = await contactBy(northwind.id, "sub@example.com");
    expect(await db().message.count({ where: { contactId: subscriber.id } })).toBe(0);
    expect(subscriber.consentSource).toBe("checkout");
  });

  it("subscribes at once without double opt-in, and refuses bad input and foreign origins", async () => {
    const single = await shop(false);
    const response = await subscribe(single.publicKey, {
      email: "lin@example.com",
      source: "popup",
    });
    expect(await response.json()).toEqual({ outcome: "subscribed" });
    const lin = await contactBy(single.id, "lin@example.com");
    expect(lin.consentStatus).toBe("SUBSCRIBED");
    expect(lin.consentProof).toMatchObject({ method: "single_opt_in", source: "popup" });
    expect(await db().event.count({ where: { contactId: lin.id, name: "Subscribed" } })).toBe(1);

    const bad = await subscribe(single.publicKey, { email: "not-an-email" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: "invalid_input", message: "email: is not a valid email address" },
    });
    const foreign = await subscribe(
      single.publicKey,
      { email: "x@example.com" },
      "https://evil.example",
    );
    expect(foreign.status).toBe(403);
    expect(
      await db().contact.count({ where: { workspaceId: single.id, email: "x@example.com" } }),
    ).toBe(0);
  });
});
