-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "consent_proof" JSONB;

-- AlterTable
ALTER TABLE "workspace_email_settings" ADD COLUMN     "double_opt_in" BOOLEAN NOT NULL DEFAULT true;
