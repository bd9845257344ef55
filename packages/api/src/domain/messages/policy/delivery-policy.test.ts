import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideDelivery, type RecipientStanding } from "./delivery-policy.ts";

const standing = fc.record<RecipientStanding>({
  kind: fc.constantFrom("MARKETING", "TRANSACTIONAL"),
  consentRequired: fc.boolean(),
  consentStatus: fc.constantFrom("UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"),
  hardBounced: fc.boolean(),
  complained: fc.boolean(),
});

describe("decideDelivery", () => {
  it("never sends anything to a hard-bounced address", () => {
    fc.assert(
      fc.property(standing, (recipient) => {
        expect(decideDelivery({ ...recipient, hardBounced: true })).toEqual({
          send: false,
          reason: "HARD_BOUNCED",
        });
      }),
    );
  });

  it("always sends transactional mail to an address that did not hard-bounce", () => {
    fc.assert(
      fc.property(standing, (recipient) => {
        const decision = decideDelivery({
          ...recipient,
          kind: "TRANSACTIONAL",
          hardBounced: false,
        });
        expect(decision.send).toBe(true);
      }),
    );
  });

  it("never sends marketing to the unsubscribed, the complainers or, when consent is required, the unconsented", () => {
    fc.assert(
      fc.property(standing, (recipient) => {
        const marketing = { ...recipient, kind: "MARKETING" as const };
        const forbidden =
          marketing.hardBounced ||
          marketing.complained ||
          marketing.consentStatus === "UNSUBSCRIBED" ||
          (marketing.consentRequired && marketing.consentStatus !== "SUBSCRIBED");
        expect(decideDelivery(marketing).send).toBe(!forbidden);
      }),
    );
  });

  it("lets consent only widen marketing: SUBSCRIBED is never refused where UNKNOWN is allowed", () => {
    fc.assert(
      fc.property(standing, (recipient) => {
        const unknown = decideDelivery({ ...recipient, consentStatus: "UNKNOWN" });
        const subscribed = decideDelivery({ ...recipient, consentStatus: "SUBSCRIBED" });
        if (unknown.send) expect(subscribed.send).toBe(true);
      }),
    );
  });

  it("names the reason, most serious first", () => {
    expect(
      decideDelivery({
        kind: "MARKETING",
        consentRequired: true,
        consentStatus: "UNSUBSCRIBED",
        hardBounced: false,
        complained: true,
      }),
    ).toEqual({ send: false, reason: "COMPLAINED" });
    expect(
      decideDelivery({
        kind: "MARKETING",
        consentRequired: true,
        consentStatus: "PENDING",
        hardBounced: false,
        complained: false,
      }),
    ).toEqual({ send: false, reason: "NO_CONSENT" });
  });
});
