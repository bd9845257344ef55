-- AlterTable
ALTER TABLE "scenarios" ADD COLUMN     "date_swept_until" TIMESTAMPTZ(3);
