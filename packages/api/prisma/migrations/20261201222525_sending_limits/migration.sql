-- AlterTable
ALTER TABLE "workspace_email_settings" ADD COLUMN     "frequency_caps" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "quiet_hours_end" TEXT,
ADD COLUMN     "quiet_hours_start" TEXT;
