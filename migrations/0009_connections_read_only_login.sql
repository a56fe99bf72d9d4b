ALTER TABLE `connection` ADD `read_only_user` text;--> statement-breakpoint
ALTER TABLE `connection` ADD `last_test_privileges` text;