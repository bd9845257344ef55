-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "count_unverified_orders" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "from_browser" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "verified" BOOLEAN NOT NULL DEFAULT true;
