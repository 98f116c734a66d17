CREATE TABLE `wa_contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`business_id` integer NOT NULL,
	`customer_id` integer,
	`phone` text,
	`lid` text,
	`profile_name` text,
	`last_inbound_at` integer,
	`last_owner_at` integer,
	`last_ai_at` integer,
	`last_message_id` integer,
	`last_message_at` integer,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `business`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wa_contacts_business_phone_uq` ON `wa_contacts` (`business_id`,`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `wa_contacts_lid_uq` ON `wa_contacts` (`lid`);--> statement-breakpoint
CREATE INDEX `wa_contacts_customer_idx` ON `wa_contacts` (`customer_id`);--> statement-breakpoint
CREATE INDEX `wa_contacts_last_message_idx` ON `wa_contacts` (`business_id`,`last_message_at`);--> statement-breakpoint
CREATE INDEX `wa_contacts_unread_idx` ON `wa_contacts` (`business_id`,`last_message_at`) WHERE unread_count > 0;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `contact_id` integer REFERENCES wa_contacts(id);--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `chat_jid` text;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `client_id` text;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `media_size` integer;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `provider_error_code` text;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `sending_at` integer;--> statement-breakpoint
ALTER TABLE `wa_messages` ADD `by_ai` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `wa_messages_client_id_uq` ON `wa_messages` (`client_id`);--> statement-breakpoint
CREATE INDEX `wa_messages_contact_idx` ON `wa_messages` (`contact_id`,`id`);