CREATE TABLE `payment_checkouts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`provider` text NOT NULL,
	`provider_order_id` text NOT NULL,
	`customer_id` integer,
	`document_id` integer,
	`amount_agorot` integer NOT NULL,
	`currency` text DEFAULT 'ILS' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'created' NOT NULL,
	`approval_url` text NOT NULL,
	`sandbox` integer NOT NULL,
	`provider_ref` text,
	`payment_id` integer,
	`receipt_document_id` integer,
	`failure_reason` text,
	`raw_json` text DEFAULT '{}' NOT NULL,
	`completed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`receipt_document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_checkouts_provider_order_uq` ON `payment_checkouts` (`provider`,`provider_order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_checkouts_provider_ref_uq` ON `payment_checkouts` (`provider`,`provider_ref`);--> statement-breakpoint
CREATE INDEX `payment_checkouts_document_idx` ON `payment_checkouts` (`document_id`,`status`);--> statement-breakpoint
CREATE INDEX `payment_checkouts_customer_idx` ON `payment_checkouts` (`customer_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `payment_provider_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text DEFAULT '' NOT NULL,
	`checkout_id` integer,
	`outcome` text DEFAULT '' NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`checkout_id`) REFERENCES `payment_checkouts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_provider_events_uq` ON `payment_provider_events` (`provider`,`event_id`);