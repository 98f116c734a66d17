CREATE INDEX `customers_business_contact_idx` ON `customers` (`business_id`,`last_contact_at`);--> statement-breakpoint
CREATE INDEX `customers_business_status_name_idx` ON `customers` (`business_id`,`status`,`name`);--> statement-breakpoint
CREATE INDEX `customers_business_status_created_idx` ON `customers` (`business_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `customers_business_status_contact_idx` ON `customers` (`business_id`,`status`,`last_contact_at`);--> statement-breakpoint
CREATE INDEX `customers_business_source_created_idx` ON `customers` (`business_id`,`source`,`created_at`);--> statement-breakpoint
CREATE INDEX `payments_document_idx` ON `payments` (`document_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_business_due_at_idx` ON `tasks` (`business_id`,`due_at`);--> statement-breakpoint
CREATE INDEX `wa_messages_unread_idx` ON `wa_messages` (`business_id`,`customer_id`) WHERE unread = 1;