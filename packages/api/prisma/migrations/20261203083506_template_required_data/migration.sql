-- AlterTable
ALTER TABLE "templates" ADD COLUMN     "required_data" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- The library templates already installed declare what they need, as new installs do.
UPDATE "templates" SET "required_data" = CASE "library_key"
    WHEN 'abandoned-cart' THEN ARRAY['cart.items']
    WHEN 'browse-abandonment' THEN ARRAY['products']
    WHEN 'order-confirmation' THEN ARRAY['order.number', 'order.items']
    WHEN 'post-purchase-cross-sell' THEN ARRAY['order']
    WHEN 'replenishment-reminder' THEN ARRAY['products']
    WHEN 'review-request' THEN ARRAY['order', 'review_url']
    WHEN 'shipping-update' THEN ARRAY['order.number']
    WHEN 'vip-reward' THEN ARRAY['reward']
  END
 WHERE "library_key" IN ('abandoned-cart', 'browse-abandonment', 'order-confirmation', 'post-purchase-cross-sell',
                         'replenishment-reminder', 'review-request', 'shipping-update', 'vip-reward');
