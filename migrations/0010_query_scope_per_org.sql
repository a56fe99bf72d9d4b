-- Built-in connections are one id shared by every organization, so per-connection query state is
-- keyed by (organization, connection). Slots are short leases: the table is recreated empty (a
-- lease held across the deploy is at most one query over the cap), settings are copied over.
DROP TABLE `query_slot`;--> statement-breakpoint
CREATE TABLE `query_slot` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `query_slot_org_conn_idx` ON `query_slot` (`org_id`,`connection_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `__new_query_settings` (
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`cache_enabled` integer DEFAULT false NOT NULL,
	`cache_ttl_seconds` integer DEFAULT 60 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `connection_id`)
);
--> statement-breakpoint
INSERT INTO `__new_query_settings`("org_id", "connection_id", "cache_enabled", "cache_ttl_seconds", "updated_at") SELECT "org_id", "connection_id", "cache_enabled", "cache_ttl_seconds", "updated_at" FROM `query_settings`;--> statement-breakpoint
DROP TABLE `query_settings`;--> statement-breakpoint
ALTER TABLE `__new_query_settings` RENAME TO `query_settings`;
