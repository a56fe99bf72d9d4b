CREATE TABLE `schema_change` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`from_snapshot_id` text NOT NULL,
	`to_snapshot_id` text NOT NULL,
	`summary` text NOT NULL,
	`diff` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `schema_change_conn_idx` ON `schema_change` (`org_id`,`connection_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `schema_column` (
	`snapshot_id` text NOT NULL,
	`schema_name` text NOT NULL,
	`table_name` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`data_type` text NOT NULL,
	`normalized_type` text NOT NULL,
	`nullable` integer NOT NULL,
	`default_value` text,
	`generated` text,
	`identity` text,
	`comment` text,
	`is_primary_key` integer NOT NULL,
	`is_foreign_key` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `schema_name`, `table_name`, `position`)
);
--> statement-breakpoint
CREATE TABLE `schema_constraint` (
	`snapshot_id` text NOT NULL,
	`schema_name` text NOT NULL,
	`table_name` text NOT NULL,
	`type` text NOT NULL,
	`ordinal` integer NOT NULL,
	`name` text,
	`columns` text,
	`ref_schema` text,
	`ref_table` text,
	`ref_columns` text,
	`on_update` text,
	`on_delete` text,
	`expression` text,
	PRIMARY KEY(`snapshot_id`, `schema_name`, `table_name`, `type`, `ordinal`)
);
--> statement-breakpoint
CREATE INDEX `schema_constraint_ref_idx` ON `schema_constraint` (`snapshot_id`,`ref_schema`,`ref_table`);--> statement-breakpoint
CREATE TABLE `schema_enum` (
	`snapshot_id` text NOT NULL,
	`schema_name` text NOT NULL,
	`name` text NOT NULL,
	`enum_values` text NOT NULL,
	PRIMARY KEY(`snapshot_id`, `schema_name`, `name`)
);
--> statement-breakpoint
CREATE TABLE `schema_head` (
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`snapshot_id` text NOT NULL,
	`synced_at` integer NOT NULL,
	`stale_at` integer,
	`version` integer NOT NULL,
	PRIMARY KEY(`org_id`, `connection_id`),
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `schema_index` (
	`snapshot_id` text NOT NULL,
	`schema_name` text NOT NULL,
	`table_name` text NOT NULL,
	`name` text NOT NULL,
	`is_unique` integer NOT NULL,
	`is_primary` integer NOT NULL,
	`method` text,
	`parts` text NOT NULL,
	`predicate` text,
	`definition` text,
	PRIMARY KEY(`snapshot_id`, `schema_name`, `table_name`, `name`)
);
--> statement-breakpoint
CREATE TABLE `schema_namespace` (
	`snapshot_id` text NOT NULL,
	`name` text NOT NULL,
	`comment` text,
	`table_count` integer NOT NULL,
	`view_count` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `schema_snapshot` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`engine` text NOT NULL,
	`status` text NOT NULL,
	`server_version` text,
	`table_count` integer NOT NULL,
	`column_count` integer NOT NULL,
	`query_count` integer NOT NULL,
	`introspect_ms` integer NOT NULL,
	`structure_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `schema_snapshot_conn_idx` ON `schema_snapshot` (`org_id`,`connection_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `schema_table` (
	`snapshot_id` text NOT NULL,
	`schema_name` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`comment` text,
	`row_estimate` real,
	`partition_of` text,
	`definition` text,
	`column_count` integer NOT NULL,
	`primary_key` text,
	`foreign_key_count` integer NOT NULL,
	`index_count` integer NOT NULL,
	PRIMARY KEY(`snapshot_id`, `schema_name`, `name`)
);
