CREATE TABLE `hosted_database` (
	`connection_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`size_bytes` integer DEFAULT 0 NOT NULL,
	`last_import_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`connection_id`) REFERENCES `connection`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `hosted_database_org_idx` ON `hosted_database` (`org_id`);
