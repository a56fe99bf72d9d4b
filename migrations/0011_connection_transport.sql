ALTER TABLE `connection` ADD `transport` text;--> statement-breakpoint
ALTER TABLE `connection` ADD `hyperdrive` text;--> statement-breakpoint
-- Saved before transports were a choice: these reached their servers through Neon and PlanetScale.
UPDATE `connection` SET `transport` = CASE `engine` WHEN 'postgres' THEN 'neon-http' WHEN 'mysql' THEN 'planetscale-http' END WHERE `transport` IS NULL;
