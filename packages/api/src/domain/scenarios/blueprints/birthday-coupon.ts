import { z } from "zod";
import { blueprint, percentCoupon } from "./blueprint.ts";

export const birthdayCouponOptions = z.object({
  discountCode: z.string().trim().min(1).max(100).default("BIRTHDAY15"),
  percent: z.number().int().min(1).max(90).default(15),
  /** The time of day, in the contact's time zone. */
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 09:00")
    .default("09:00"),
});

export const birthdayCoupon = blueprint({
  name: "birthday_coupon",
  title: "Birthday coupon",
  description: "Each year on the contact's birthday, at 09:00 in their time zone, a coupon.",
  templateKeys: ["birthday"],
  options: birthdayCouponOptions,
  build: (options, templates) => ({
    version: 1,
    trigger: { kind: "date", field: "BIRTHDAY", at: options.at },
    start: "greeting",
    nodes: [
      {
        id: "greeting",
        kind: "send_email",
        templateId: templates.birthday,
        data: { coupon: percentCoupon(options.discountCode, options.percent) },
      },
    ],
  }),
});
