CREATE TABLE `export_ticket` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`sql` text NOT NULL,
	`params` text DEFAULT '[]' NOT NULL,
	`escape_formulas` integer NOT NULL,
	`filename` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `export_ticket_expires_idx` ON `export_ticket` (`expires_at`);