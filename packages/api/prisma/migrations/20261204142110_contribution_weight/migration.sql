-- AlterTable
ALTER TABLE "recommendation_contributions" ADD COLUMN     "weight" SMALLINT NOT NULL DEFAULT 1;
