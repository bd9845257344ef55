import { abandonIdleCarts } from "@cartwheel/api/domain";
import { defineTask } from "../define-task.ts";

/**
 * Every 5 minutes: marks carts with no activity for CARTWHEEL_CART_ABANDON_AFTER_MINUTES
 * (default 60) as ABANDONED. Safe to repeat: a cart already marked is left alone.
 */
export const abandon_carts = defineTask("abandon_carts", async (_payload, helpers) => {
  const abandoned = await abandonIdleCarts({ now: new Date() });
  if (abandoned > 0) helpers.logger.info(`abandon_carts: ${abandoned} carts abandoned`);
});
