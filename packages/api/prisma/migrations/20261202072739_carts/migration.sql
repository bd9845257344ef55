-- CreateEnum
CREATE TYPE "cart_status" AS ENUM ('ACTIVE', 'CHECKOUT_STARTED', 'CONVERTED', 'ABANDONED');

-- CreateTable
CREATE TABLE "carts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "shop_cart_id" TEXT NOT NULL,
    "contact_id" UUID,
    "currency" TEXT NOT NULL,
    "status" "cart_status" NOT NULL DEFAULT 'ACTIVE',
    "checkout_url" TEXT,
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL,
    "checkout_started_at" TIMESTAMPTZ(3),
    "abandoned_at" TIMESTAMPTZ(3),
    "converted_order_id" UUID,
    "converted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cart_lines" (
    "id" BIGSERIAL NOT NULL,
    "cart_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "shop_product_id" TEXT NOT NULL,
    "shop_variant_id" TEXT,
    "sku" TEXT,
    "title" TEXT,
    "variant" TEXT,
    "price" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "image_url" TEXT,
    "url" TEXT,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cart_lines_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "carts_workspace_id_updated_at_id_idx" ON "carts"("workspace_id", "updated_at", "id");

-- CreateIndex
CREATE INDEX "carts_contact_id_last_activity_at_idx" ON "carts"("contact_id", "last_activity_at");

-- CreateIndex
CREATE INDEX "carts_status_last_activity_at_idx" ON "carts"("status", "last_activity_at");

-- CreateIndex
CREATE UNIQUE INDEX "carts_workspace_id_shop_cart_id_key" ON "carts"("workspace_id", "shop_cart_id");

-- CreateIndex
CREATE INDEX "cart_lines_cart_id_position_idx" ON "cart_lines"("cart_id", "position");

-- CreateIndex
CREATE INDEX "cart_lines_workspace_id_shop_product_id_idx" ON "cart_lines"("workspace_id", "shop_product_id");

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "carts" ADD CONSTRAINT "carts_converted_order_id_fkey" FOREIGN KEY ("converted_order_id") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cart_lines" ADD CONSTRAINT "cart_lines_cart_id_fkey" FOREIGN KEY ("cart_id") REFERENCES "carts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A cart's events, found by its cart id when the cart is folded from them (not expressible in
-- schema.prisma; later schema diffs leave it alone).
CREATE INDEX "events_cart_id_idx" ON "events" ("workspace_id", ((properties->>'cart_id')), "occurred_at")
  WHERE name IN ('Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started');
