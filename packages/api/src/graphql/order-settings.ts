import {
  loadOrderSettings,
  type OrderSettings,
  updateOrderSettings,
} from "../domain/orders/order-settings.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import { workspaceOf } from "./auth.ts";
import { builder } from "./builder.ts";
import { mutationErrors } from "./errors.ts";

const OrderSettingsRef = builder.objectRef<OrderSettings>("OrderSettings").implement({
  description: "How the workspace treats orders only a browser reported.",
  fields: (t) => ({
    countUnverifiedOrders: t.exposeBoolean("countUnverifiedOrders", {
      description:
        "True (the default): a browser's `Order Completed` makes an unverified order that counts in segments, scores and revenue like any other. False: it stays an event until the shop's backend reports the order (`upsertOrders`, or an event sent with a secret key).",
    }),
    unverifiedOrders: t.exposeInt("unverifiedOrders", {
      description: "Orders now known only from a browser.",
    }),
    cartAbandonAfterMinutes: t.exposeInt("cartAbandonAfterMinutes", {
      nullable: true,
      description:
        "Minutes without activity after which a cart is ABANDONED (the sweep runs every 5 minutes); null: the deployment's CARTWHEEL_CART_ABANDON_AFTER_MINUTES (default 60).",
    }),
  }),
});

builder.queryField("orderSettings", (t) =>
  t.field({
    type: OrderSettingsRef,
    authScopes: { scope: "orders:read" },
    resolve: async (_root, _args, context) => {
      const workspaceId = workspaceOf(context.principal);
      const settings = await loadOrderSettings(workspaceId);
      if (!settings) throw new NotFoundError("Workspace", workspaceId);
      return settings;
    },
  }),
);

const UpdateOrderSettingsInput = builder.inputType("UpdateOrderSettingsInput", {
  fields: (t) => ({
    countUnverifiedOrders: t.boolean({
      description:
        "False removes the unverified orders at once (their events stay) and re-checks the segments on orders; true writes them again from the browser's order events, in the background.",
    }),
    cartAbandonAfterMinutes: t.int({
      description:
        "5 minutes to 30 days (43,200); null goes back to the deployment's default. Left out: unchanged.",
    }),
  }),
});

builder.mutationField("updateOrderSettings", (t) =>
  t.field({
    type: OrderSettingsRef,
    description:
      "Decides whether orders only a browser reported count as orders, and when carts are abandoned.",
    authScopes: { scope: "orders:write" },
    errors: { types: mutationErrors, dataField: { name: "settings" } },
    args: { input: t.arg({ type: UpdateOrderSettingsInput, required: true }) },
    resolve: (_root, { input }, context) =>
      updateOrderSettings(workspaceOf(context.principal), {
        ...(input.countUnverifiedOrders != null && {
          countUnverifiedOrders: input.countUnverifiedOrders,
        }),
        ...(input.cartAbandonAfterMinutes !== undefined && {
          cartAbandonAfterMinutes: input.cartAbandonAfterMinutes,
        }),
      }),
  }),
);
