CREATE TABLE `schema_object` (
	`snapshot_id` text NOT NULL,
	`kind` text NOT NULL,
	`ordinal` integer NOT NULL,
	`schema_name` text NOT NULL,
	`name` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`snapshot_id`, `kind`, `ordinal`)
);
--> statement-breakpoint
ALTER TABLE `schema_table` ADD `depends_on` text;