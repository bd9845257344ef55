-- CreateEnum
CREATE TYPE "recommendation_graph" AS ENUM ('PURCHASE', 'VIEW');

-- CreateTable
CREATE TABLE "recommendation_contributions" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "graph" "recommendation_graph" NOT NULL,
    "source_key" TEXT NOT NULL,
    "products" TEXT[],
    "partners" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "folded_at" TIMESTAMPTZ(3),

    CONSTRAINT "recommendation_contributions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation_product_counts" (
    "workspace_id" UUID NOT NULL,
    "graph" "recommendation_graph" NOT NULL,
    "product_id" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "dirty" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "recommendation_product_counts_pkey" PRIMARY KEY ("workspace_id","graph","product_id")
);

-- CreateTable
CREATE TABLE "recommendation_pairs" (
    "workspace_id" UUID NOT NULL,
    "graph" "recommendation_graph" NOT NULL,
    "product_id" TEXT NOT NULL,
    "other_id" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "recommendation_pairs_pkey" PRIMARY KEY ("workspace_id","graph","product_id","other_id")
);

-- CreateTable
CREATE TABLE "recommendation_neighbours" (
    "workspace_id" UUID NOT NULL,
    "graph" "recommendation_graph" NOT NULL,
    "product_id" TEXT NOT NULL,
    "neighbour_id" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "together" INTEGER NOT NULL,

    CONSTRAINT "recommendation_neighbours_pkey" PRIMARY KEY ("workspace_id","graph","product_id","neighbour_id")
);

-- CreateIndex
CREATE INDEX "recommendation_contributions_folded_at_id_idx" ON "recommendation_contributions"("folded_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "recommendation_contributions_workspace_id_graph_source_key_key" ON "recommendation_contributions"("workspace_id", "graph", "source_key");

-- CreateIndex
CREATE INDEX "recommendation_product_counts_workspace_id_graph_count_idx" ON "recommendation_product_counts"("workspace_id", "graph", "count" DESC);

-- CreateIndex
CREATE INDEX "recommendation_product_counts_dirty_idx" ON "recommendation_product_counts"("dirty");

-- AddForeignKey
ALTER TABLE "recommendation_contributions" ADD CONSTRAINT "recommendation_contributions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_product_counts" ADD CONSTRAINT "recommendation_product_counts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_pairs" ADD CONSTRAINT "recommendation_pairs_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_neighbours" ADD CONSTRAINT "recommendation_neighbours_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
