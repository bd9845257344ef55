-- CreateEnum
CREATE TYPE "product_status" AS ENUM ('ACTIVE', 'DRAFT', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "order_status" AS ENUM ('PLACED', 'PAID', 'FULFILLED', 'SHIPPED', 'CANCELLED', 'PARTIALLY_REFUNDED', 'REFUNDED');

-- CreateEnum
CREATE TYPE "order_source" AS ENUM ('EVENT', 'API');

-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "shop_product_id" TEXT NOT NULL,
    "sku" TEXT,
    "title" TEXT,
    "url" TEXT,
    "image_url" TEXT,
    "currency" TEXT NOT NULL,
    "price" BIGINT,
    "compare_at_price" BIGINT,
    "category" TEXT,
    "brand" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "inventory_quantity" INTEGER,
    "in_stock" BOOLEAN NOT NULL DEFAULT true,
    "status" "product_status" NOT NULL DEFAULT 'ACTIVE',
    "replenishment_days" INTEGER,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "stub" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_variants" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "product_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "shop_variant_id" TEXT NOT NULL,
    "sku" TEXT,
    "title" TEXT,
    "price" BIGINT,
    "compare_at_price" BIGINT,
    "inventory_quantity" INTEGER,
    "in_stock" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL,

    CONSTRAINT "product_variants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "shop_order_id" TEXT NOT NULL,
    "order_number" TEXT,
    "contact_id" UUID,
    "cart_id" TEXT,
    "currency" TEXT NOT NULL,
    "subtotal" BIGINT NOT NULL DEFAULT 0,
    "discount" BIGINT NOT NULL DEFAULT 0,
    "shipping" BIGINT NOT NULL DEFAULT 0,
    "tax" BIGINT NOT NULL DEFAULT 0,
    "total" BIGINT NOT NULL DEFAULT 0,
    "refunded_amount" BIGINT NOT NULL DEFAULT 0,
    "coupon" TEXT,
    "status" "order_status" NOT NULL DEFAULT 'PLACED',
    "tracking_number" TEXT,
    "tracking_url" TEXT,
    "carrier" TEXT,
    "ordered_at" TIMESTAMPTZ(3) NOT NULL,
    "shipped_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "data_at" TIMESTAMPTZ(3),
    "status_at" TIMESTAMPTZ(3) NOT NULL,
    "source" "order_source" NOT NULL,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_lines" (
    "id" BIGSERIAL NOT NULL,
    "order_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "shop_product_id" TEXT NOT NULL,
    "shop_variant_id" TEXT,
    "sku" TEXT,
    "title" TEXT,
    "price" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "image_url" TEXT,
    "url" TEXT,

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_refunds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "order_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "refund_key" TEXT NOT NULL,
    "amount" BIGINT,
    "refunded_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,

    CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "products_workspace_id_category_idx" ON "products"("workspace_id", "category" text_pattern_ops);

-- CreateIndex
CREATE INDEX "products_workspace_id_sku_idx" ON "products"("workspace_id", "sku");

-- CreateIndex
CREATE UNIQUE INDEX "products_workspace_id_shop_product_id_key" ON "products"("workspace_id", "shop_product_id");

-- CreateIndex
CREATE INDEX "product_variants_workspace_id_sku_idx" ON "product_variants"("workspace_id", "sku");

-- CreateIndex
CREATE UNIQUE INDEX "product_variants_product_id_shop_variant_id_key" ON "product_variants"("product_id", "shop_variant_id");

-- CreateIndex
CREATE INDEX "orders_workspace_id_ordered_at_id_idx" ON "orders"("workspace_id", "ordered_at", "id");

-- CreateIndex
CREATE INDEX "orders_contact_id_ordered_at_idx" ON "orders"("contact_id", "ordered_at");

-- CreateIndex
CREATE INDEX "orders_workspace_id_cart_id_idx" ON "orders"("workspace_id", "cart_id");

-- CreateIndex
CREATE UNIQUE INDEX "orders_workspace_id_shop_order_id_key" ON "orders"("workspace_id", "shop_order_id");

-- CreateIndex
CREATE INDEX "order_lines_order_id_position_idx" ON "order_lines"("order_id", "position");

-- CreateIndex
CREATE INDEX "order_lines_workspace_id_shop_product_id_idx" ON "order_lines"("workspace_id", "shop_product_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_refunds_order_id_refund_key_key" ON "order_refunds"("order_id", "refund_key");

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_variants" ADD CONSTRAINT "product_variants_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
