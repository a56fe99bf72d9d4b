CREATE TABLE `builtin_connection_state` (
	`org_id` text NOT NULL,
	`builtin_id` text NOT NULL,
	`last_test_ok` integer,
	`last_test_latency_ms` integer,
	`last_test_server_version` text,
	`last_test_error_code` text,
	`last_test_error_message` text,
	`last_tested_at` integer,
	`last_used_at` integer,
	PRIMARY KEY(`org_id`, `builtin_id`),
	FOREIGN KEY (`org_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
