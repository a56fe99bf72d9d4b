CREATE TABLE `connection` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`color` text NOT NULL,
	`engine` text NOT NULL,
	`uses_connection_string` integer DEFAULT false NOT NULL,
	`host` text,
	`port` integer,
	`database` text,
	`user` text,
	`ssl_mode` text,
	`d1_binding` text,
	`secret` text,
	`has_password` integer DEFAULT false NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`last_test_ok` integer,
	`last_test_latency_ms` integer,
	`last_test_server_version` text,
	`last_test_error_code` text,
	`last_test_error_message` text,
	`last_tested_at` integer,
	`last_used_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connection_org_name_idx` ON `connection` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `connection_org_used_idx` ON `connection` (`org_id`,`last_used_at`);