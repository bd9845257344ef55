-- AlterTable
ALTER TABLE "scenario_split_winners" ADD COLUMN     "applied" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "metric" TEXT,
ADD COLUMN     "reason" TEXT;

-- Decisions made before: an experiment only ever decided on conversion at its confidence.
UPDATE "scenario_split_winners"
   SET "reason" = CASE "decided_by" WHEN 'manual' THEN 'chosen by hand' ELSE 'confidence reached' END,
       "metric" = CASE "decided_by" WHEN 'manual' THEN NULL ELSE 'conversion' END;
