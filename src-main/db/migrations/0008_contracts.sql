ALTER TABLE `contract_templates` ADD `template_key` text;--> statement-breakpoint
ALTER TABLE `contract_templates` ADD `requires_id_number` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `token_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `number` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `field_values` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `requires_id_number` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `signature_strokes` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `signature_png_path` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `signed_via` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `sent_at` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `viewed_at` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `void_reason` text;--> statement-breakpoint
CREATE UNIQUE INDEX `contracts_number_uq` ON `contracts` (`business_id`,`number`);--> statement-breakpoint
CREATE INDEX `contracts_status_idx` ON `contracts` (`business_id`,`status`,`created_at`);