CREATE TABLE `query_history` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`user_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`statement` text NOT NULL,
	`statement_count` integer NOT NULL,
	`kind` text NOT NULL,
	`read_only` integer NOT NULL,
	`cached` integer DEFAULT false NOT NULL,
	`duration_ms` integer NOT NULL,
	`row_count` integer,
	`outcome` text NOT NULL,
	`error_code` text
);
--> statement-breakpoint
CREATE INDEX `query_history_org_idx` ON `query_history` (`org_id`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `query_history_conn_idx` ON `query_history` (`connection_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `query_settings` (
	`connection_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`cache_enabled` integer DEFAULT false NOT NULL,
	`cache_ttl_seconds` integer DEFAULT 60 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `query_slot` (
	`id` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `query_slot_conn_idx` ON `query_slot` (`connection_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `saved_query` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`connection_id` text,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`sql` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saved_query_org_idx` ON `saved_query` (`org_id`,`name`);