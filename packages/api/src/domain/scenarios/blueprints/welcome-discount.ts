import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const welcomeDiscountOptions = z.object({
  /** The event that welcomes a contact. */
  event: z.string().trim().min(1).max(200).default("Signed Up"),
  discountCode: z.string().trim().min(1).max(100).default("WELCOME10"),
  percent: z.number().int().min(1).max(90).default(10),
  /** Days after the welcome before the code is sent. */
  codeAfterDays: z.number().int().min(1).max(30).default(2),
  /** Days after the code before a reminder, unless an order used it. */
  reminderAfterDays: z.number().int().min(1).max(60).default(7),
});

export const welcomeDiscount = blueprint({
  name: "welcome_discount",
  title: "Welcome with a discount",
  description:
    "A welcome mail, the discount code two days later, and a reminder a week later unless an order used the code.",
  templateKeys: ["welcome"],
  options: welcomeDiscountOptions,
  build: (options, templates) => {
    const coupon = { coupon: percentCoupon(options.discountCode, options.percent) };
    return {
      version: 1,
      trigger: { kind: "event", event: options.event },
      entry: { rule: "once" },
      start: "welcome",
      nodes: [
        { id: "welcome", kind: "send_email", templateId: templates.welcome, next: "wait-code" },
        {
          id: "wait-code",
          kind: "delay",
          duration: { days: options.codeAfterDays },
          next: "code",
        },
        {
          id: "code",
          kind: "send_email",
          templateId: templates.welcome,
          data: coupon,
          next: "used",
        },
        {
          id: "used",
          kind: "wait_for_event",
          event: "Order Completed",
          where: [{ key: "coupon", type: "STRING", op: "EQUALS", value: options.discountCode }],
          timeout: { days: options.reminderAfterDays },
          timedOut: "reminder",
        },
        { id: "reminder", kind: "send_email", templateId: templates.welcome, data: coupon },
      ],
    };
  },
});
