-- An issued document is immutable (SPEC §4), enforced by the database itself so no code path can
-- re-word one: only its status may go issued -> cancelled, its customer/deal may be re-linked (a
-- customers merge), and its PDF path/hash may be set once. Issued documents and their lines are
-- never deleted; the one exception is the demo generator's reset, which sets the settings row
-- 'billing.erase_all' inside its own transaction.
CREATE TRIGGER `documents_issued_immutable` BEFORE UPDATE ON `documents`
WHEN OLD.`status` <> 'draft' AND (
  NEW.`status` = 'draft' OR (OLD.`status` = 'cancelled' AND NEW.`status` <> 'cancelled')
  OR NEW.`business_id` IS NOT OLD.`business_id` OR NEW.`type` IS NOT OLD.`type`
  OR NEW.`number` IS NOT OLD.`number` OR NEW.`issue_date` IS NOT OLD.`issue_date`
  OR NEW.`due_date` IS NOT OLD.`due_date` OR NEW.`customer_snapshot` IS NOT OLD.`customer_snapshot`
  OR NEW.`business_snapshot` IS NOT OLD.`business_snapshot`
  OR NEW.`subtotal_agorot` IS NOT OLD.`subtotal_agorot` OR NEW.`vat_agorot` IS NOT OLD.`vat_agorot`
  OR NEW.`total_agorot` IS NOT OLD.`total_agorot` OR NEW.`vat_rate_bp` IS NOT OLD.`vat_rate_bp`
  OR NEW.`discount_agorot` IS NOT OLD.`discount_agorot`
  OR NEW.`allocation_number` IS NOT OLD.`allocation_number`
  OR NEW.`related_document_id` IS NOT OLD.`related_document_id` OR NEW.`notes` IS NOT OLD.`notes`
  OR NEW.`payment_entries` IS NOT OLD.`payment_entries` OR NEW.`issued_at` IS NOT OLD.`issued_at`
  OR NEW.`created_at` IS NOT OLD.`created_at`
  OR (OLD.`pdf_path` IS NOT NULL AND NEW.`pdf_path` IS NOT OLD.`pdf_path`)
  OR (OLD.`pdf_sha256` IS NOT NULL AND NEW.`pdf_sha256` IS NOT OLD.`pdf_sha256`)
)
BEGIN SELECT RAISE(ABORT, 'document_issued: an issued document cannot be changed'); END;
--> statement-breakpoint
CREATE TRIGGER `documents_issued_no_delete` BEFORE DELETE ON `documents`
WHEN OLD.`status` <> 'draft' AND NOT EXISTS (SELECT 1 FROM `settings` WHERE `key` = 'billing.erase_all')
BEGIN SELECT RAISE(ABORT, 'document_issued: an issued document cannot be deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `document_lines_issued_no_insert` BEFORE INSERT ON `document_lines`
WHEN (SELECT `status` FROM `documents` WHERE `id` = NEW.`document_id`) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'document_issued: an issued document cannot be changed'); END;
--> statement-breakpoint
CREATE TRIGGER `document_lines_issued_no_update` BEFORE UPDATE ON `document_lines`
WHEN (SELECT `status` FROM `documents` WHERE `id` = OLD.`document_id`) <> 'draft'
  OR (SELECT `status` FROM `documents` WHERE `id` = NEW.`document_id`) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'document_issued: an issued document cannot be changed'); END;
--> statement-breakpoint
CREATE TRIGGER `document_lines_issued_no_delete` BEFORE DELETE ON `document_lines`
WHEN (SELECT `status` FROM `documents` WHERE `id` = OLD.`document_id`) <> 'draft'
  AND NOT EXISTS (SELECT 1 FROM `settings` WHERE `key` = 'billing.erase_all')
BEGIN SELECT RAISE(ABORT, 'document_issued: an issued document cannot be changed'); END;
