import { z } from "zod";
import { abandonedCart } from "./abandoned-cart.ts";
import { birthdayCoupon } from "./birthday-coupon.ts";
import type { ScenarioBlueprint } from "./blueprint.ts";
import { browseAbandonment } from "./browse-abandonment.ts";
import { categoryInterest } from "./category-interest.ts";
import { exitIntent } from "./exit-intent.ts";
import { leadScore } from "./lead-score.ts";
import { offerEnding } from "./offer-ending.ts";
import { orderUpdates } from "./order-updates.ts";
import { postPurchaseCrossSell } from "./post-purchase-cross-sell.ts";
import { replenishment } from "./replenishment.ts";
import { reviewRequest } from "./review-request.ts";
import { sunset } from "./sunset.ts";
import { vipReward } from "./vip-reward.ts";
import { vipWelcome } from "./vip-welcome.ts";
import { welcomeDiscount } from "./welcome-discount.ts";
import { welcomeSeries } from "./welcome-series.ts";
import { winBack } from "./win-back.ts";

/** Every blueprint a shop can install, in the order a shop usually wants them. */
export const scenarioBlueprints: readonly ScenarioBlueprint[] = [
  abandonedCart,
  welcomeDiscount,
  postPurchaseCrossSell,
  birthdayCoupon,
  browseAbandonment,
  winBack,
  replenishment,
  vipWelcome,
  vipReward,
  orderUpdates,
  reviewRequest,
  sunset,
  leadScore,
  offerEnding,
  exitIntent,
  categoryInterest,
  welcomeSeries,
];

/** A blueprint as the catalogue shows it: its options with their defaults. */
export function describeBlueprint(entry: ScenarioBlueprint) {
  return {
    name: entry.name,
    title: entry.title,
    description: entry.description,
    options: z.toJSONSchema(entry.options, { io: "input" }) as Record<string, unknown>,
    defaults: entry.options.parse({}) as Record<string, unknown>,
  };
}

export const findBlueprint = (name: string) =>
  scenarioBlueprints.find((entry) => entry.name === name);
