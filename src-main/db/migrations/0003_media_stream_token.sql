ALTER TABLE `calls` ADD `stream_token_hash` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `stream_started_at` integer;