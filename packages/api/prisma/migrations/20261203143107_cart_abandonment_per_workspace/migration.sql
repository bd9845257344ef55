-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "cart_abandon_after_minutes" INTEGER;
