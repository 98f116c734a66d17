CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` integer NOT NULL,
	`event` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`actor` text DEFAULT 'owner' NOT NULL,
	`ip` text,
	`user_agent` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_entity_idx` ON `audit_events` (`entity_type`,`entity_id`,`id`);--> statement-breakpoint
CREATE TABLE `business` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`legal_name` text DEFAULT '' NOT NULL,
	`vat_id` text DEFAULT '' NOT NULL,
	`business_type` text DEFAULT 'osek_murshe' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`owner_phone` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`city` text DEFAULT '' NOT NULL,
	`website` text DEFAULT '' NOT NULL,
	`logo_path` text,
	`knowledge` text DEFAULT '{}' NOT NULL,
	`features` text DEFAULT '{}' NOT NULL,
	`vat_rate_bp` integer DEFAULT 1800 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `call_turns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`call_sid` text NOT NULL,
	`business_id` integer NOT NULL,
	`turn_index` integer NOT NULL,
	`mode` text DEFAULT 'stream' NOT NULL,
	`caller_text` text DEFAULT '' NOT NULL,
	`agent_text` text DEFAULT '' NOT NULL,
	`t_vad_ms` integer,
	`t_asr_ms` integer,
	`t_nlp_ms` integer,
	`t_tts_ms` integer,
	`t_first_audio_ms` integer,
	`t_total_ms` integer,
	`interrupted` integer DEFAULT false NOT NULL,
	`error_code` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `call_turns_call_turn_uq` ON `call_turns` (`call_id`,`turn_index`);--> statement-breakpoint
CREATE INDEX `call_turns_business_created_idx` ON `call_turns` (`business_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`call_sid` text NOT NULL,
	`direction` text DEFAULT 'in' NOT NULL,
	`from_number` text DEFAULT '' NOT NULL,
	`to_number` text DEFAULT '' NOT NULL,
	`customer_id` integer,
	`status` text DEFAULT 'ringing' NOT NULL,
	`mode` text DEFAULT 'stream' NOT NULL,
	`engine` text DEFAULT 'pipeline' NOT NULL,
	`ended_by` text,
	`started_at` integer NOT NULL,
	`answered_at` integer,
	`ended_at` integer,
	`duration_sec` integer,
	`recording_url` text,
	`recording_sid` text,
	`recording_path` text,
	`recording_status` text,
	`transcript` text,
	`summary` text,
	`lead_fields` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calls_call_sid_uq` ON `calls` (`call_sid`);--> statement-breakpoint
CREATE INDEX `calls_customer_idx` ON `calls` (`customer_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `calls_business_started_idx` ON `calls` (`business_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `contract_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`name` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`body` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contract_templates_name_version_uq` ON `contract_templates` (`business_id`,`name`,`version`);--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer NOT NULL,
	`deal_id` integer,
	`template_id` integer,
	`template_version` integer,
	`title` text NOT NULL,
	`body_rendered` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`unsigned_pdf_path` text,
	`unsigned_sha256` text,
	`signed_pdf_path` text,
	`signed_sha256` text,
	`signer_name` text,
	`signer_id_number` text,
	`signer_ip` text,
	`signer_user_agent` text,
	`signed_at` integer,
	`sign_token_hash` text,
	`token_expires_at` integer,
	`token_used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`deal_id`) REFERENCES `deals`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`template_id`) REFERENCES `contract_templates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contracts_customer_idx` ON `contracts` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `contracts_token_hash_uq` ON `contracts` (`sign_token_hash`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`phone` text,
	`email` text,
	`status` text DEFAULT 'lead' NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`vat_id` text,
	`address` text,
	`last_contact_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_business_phone_uq` ON `customers` (`business_id`,`phone`);--> statement-breakpoint
CREATE INDEX `customers_business_name_idx` ON `customers` (`business_id`,`name`);--> statement-breakpoint
CREATE INDEX `customers_business_email_idx` ON `customers` (`business_id`,`email`);--> statement-breakpoint
CREATE INDEX `customers_business_created_idx` ON `customers` (`business_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `customers_business_status_idx` ON `customers` (`business_id`,`status`);--> statement-breakpoint
CREATE TABLE `deals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer NOT NULL,
	`title` text NOT NULL,
	`stage` text DEFAULT 'new' NOT NULL,
	`amount_agorot` integer DEFAULT 0 NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`expected_close_date` text,
	`won_at` integer,
	`lost_at` integer,
	`lost_reason` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deals_customer_idx` ON `deals` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deals_business_stage_idx` ON `deals` (`business_id`,`stage`,`position`);--> statement-breakpoint
CREATE TABLE `document_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` integer NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`quantity_milli` integer NOT NULL,
	`unit_price_agorot` integer NOT NULL,
	`total_agorot` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `document_lines_document_idx` ON `document_lines` (`document_id`,`position`);--> statement-breakpoint
CREATE TABLE `document_sequences` (
	`business_id` integer NOT NULL,
	`type` text NOT NULL,
	`next_number` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`business_id`, `type`),
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer,
	`type` text NOT NULL,
	`number` integer NOT NULL,
	`status` text DEFAULT 'issued' NOT NULL,
	`issue_date` text NOT NULL,
	`due_date` text,
	`customer_snapshot` text DEFAULT '{}' NOT NULL,
	`subtotal_agorot` integer NOT NULL,
	`vat_agorot` integer NOT NULL,
	`total_agorot` integer NOT NULL,
	`vat_rate_bp` integer NOT NULL,
	`allocation_number` text,
	`related_document_id` integer,
	`notes` text DEFAULT '' NOT NULL,
	`pdf_path` text,
	`pdf_sha256` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`related_document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_business_type_number_uq` ON `documents` (`business_id`,`type`,`number`);--> statement-breakpoint
CREATE INDEX `documents_customer_idx` ON `documents` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `documents_business_issue_idx` ON `documents` (`business_id`,`issue_date`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`run_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_status_run_idx` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer,
	`document_id` integer,
	`provider` text NOT NULL,
	`method` text NOT NULL,
	`amount_agorot` integer NOT NULL,
	`currency` text DEFAULT 'ILS' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`provider_ref` text,
	`link_url` text,
	`reference` text,
	`paid_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `payments_customer_idx` ON `payments` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `payments_provider_ref_idx` ON `payments` (`provider`,`provider_ref`);--> statement-breakpoint
CREATE INDEX `payments_business_paid_idx` ON `payments` (`business_id`,`paid_at`);--> statement-breakpoint
CREATE TABLE `secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`ciphertext` blob NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer,
	`call_id` integer,
	`kind` text DEFAULT 'task' NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`due_at` integer,
	`starts_at` integer,
	`ends_at` integer,
	`reminder_at` integer,
	`reminded_at` integer,
	`done_at` integer,
	`created_by` text DEFAULT 'owner' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_customer_idx` ON `tasks` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_business_due_idx` ON `tasks` (`business_id`,`done_at`,`due_at`);--> statement-breakpoint
CREATE INDEX `tasks_business_starts_idx` ON `tasks` (`business_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `tasks_reminder_idx` ON `tasks` (`reminder_at`,`reminded_at`);--> statement-breakpoint
CREATE TABLE `wa_auth` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `wa_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer,
	`direction` text NOT NULL,
	`provider` text NOT NULL,
	`provider_message_id` text,
	`peer` text NOT NULL,
	`type` text DEFAULT 'text' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`media_path` text,
	`media_mime` text,
	`media_name` text,
	`template_sid` text,
	`template_vars` text,
	`status` text NOT NULL,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`sent_at` integer,
	`delivered_at` integer,
	`read_at` integer,
	`unread` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `wa_messages_customer_idx` ON `wa_messages` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `wa_messages_provider_msg_uq` ON `wa_messages` (`provider`,`provider_message_id`);--> statement-breakpoint
CREATE INDEX `wa_messages_outbox_idx` ON `wa_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `wa_messages_peer_idx` ON `wa_messages` (`peer`,`created_at`);