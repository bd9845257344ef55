import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";

const shop = useBrowser();

describe("subscribe", () => {
  it("posts the signup as a simple request and resolves to the server's outcome, or null when refused", async () => {
    const page = await shop.open();
    const outcome = await page.evaluate(() =>
      (
        window as unknown as {
          cartwheel: { subscribe: (e: string, o?: object) => Promise<unknown> };
        }
      ).cartwheel.subscribe("ada@example.com", { source: "footer-form", firstName: "Ada" }),
    );
    expect(outcome).toBe("confirmation_sent");
    const signups = shop.server.requests.filter((request) => request.path === "/v1/subscribe");
    expect(signups).toHaveLength(1);
    expect(signups[0]?.subscribe).toEqual({
      writeKey: "pk_test",
      email: "ada@example.com",
      source: "footer-form",
      firstName: "Ada",
    });
    expect(signups[0]?.contentType).toBe("text/plain;charset=UTF-8");
    expect(shop.server.requests.some((request) => request.method === "OPTIONS")).toBe(false);

    const refused = await page.evaluate(() =>
      (
        window as unknown as { cartwheel: { subscribe: (e: string) => Promise<unknown> } }
      ).cartwheel.subscribe("not-an-email"),
    );
    expect(refused).toBeNull();
  });
});
