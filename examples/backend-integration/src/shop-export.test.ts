import { describe, expect, it } from "vitest";
import { parseCustomersCsv, toContactInput, toOrderCompletedEvent } from "./shop-export.ts";

describe("shop export", () => {
  it("reads a customers CSV with quoted fields, a BOM and columns in any order", () => {
    const csv =
      '\uFEFFEmail,ID,first_name,tags,accepts_marketing\n"ann@example.com",c1,"Ann, Jr.",vip| newsletter ,yes\nbob@example.com,c2,,,no\n\n';
    expect(parseCustomersCsv(csv)).toEqual([
      {
        id: "c1",
        email: "ann@example.com",
        first_name: "Ann, Jr.",
        tags: "vip| newsletter",
        accepts_marketing: "yes",
      },
      { id: "c2", email: "bob@example.com", accepts_marketing: "no" },
    ]);
  });

  it("maps a customer to a contact keyed by externalId, consent only when the shop knows it", () => {
    expect(
      toContactInput({
        id: "c1",
        email: "ann@example.com",
        tags: "vip| newsletter",
        accepts_marketing: "yes",
      }),
    ).toEqual({
      externalId: "c1",
      email: "ann@example.com",
      tags: ["vip", "newsletter"],
      consent: { status: "SUBSCRIBED", source: "shop customer sync" },
    });
    expect(toContactInput({ id: "c2", accepts_marketing: false }).consent?.status).toBe(
      "UNSUBSCRIBED",
    );
    expect(toContactInput({ id: "c3", accepts_marketing: "maybe", tags: [] })).toEqual({
      externalId: "c3",
    });
  });

  it("derives the event's messageId from the order id", () => {
    const order = {
      id: "o-7",
      customer_id: "c1",
      total: 12.5,
      currency: "EUR",
      completed_at: "2030-01-02T03:04:05+01:00",
      products: [{ product_id: "p1", name: "Sock", price: 12.5, quantity: 1 }],
    };
    expect(toOrderCompletedEvent(order)).toEqual({
      messageId: "order-completed:o-7",
      event: "Order Completed",
      userId: "c1",
      timestamp: "2030-01-02T02:04:05.000Z",
      properties: { order_id: "o-7", total: 12.5, currency: "EUR", products: order.products },
    });
  });
});
