ALTER TABLE `document_lines` ADD `discount` text;--> statement-breakpoint
ALTER TABLE `documents` ADD `business_snapshot` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `documents` ADD `deal_id` integer REFERENCES deals(id);--> statement-breakpoint
ALTER TABLE `documents` ADD `discount_agorot` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `documents` ADD `payment_entries` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `documents` ADD `cancel_reason` text;--> statement-breakpoint
ALTER TABLE `documents` ADD `issued_at` integer;--> statement-breakpoint
ALTER TABLE `documents` ADD `updated_at` integer;--> statement-breakpoint
CREATE INDEX `documents_business_created_idx` ON `documents` (`business_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `documents_related_idx` ON `documents` (`related_document_id`);--> statement-breakpoint
ALTER TABLE `payments` ADD `receipt_document_id` integer REFERENCES documents(id);--> statement-breakpoint
ALTER TABLE `payments` ADD `details` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `notes` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `status_reason` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `raw_provider_data` text;--> statement-breakpoint
CREATE INDEX `payments_receipt_idx` ON `payments` (`receipt_document_id`);