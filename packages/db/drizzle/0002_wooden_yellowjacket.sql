ALTER TABLE `user_clients` ADD `parent_client_id` bigint unsigned;--> statement-breakpoint
CREATE INDEX `user_clients_parent_idx` ON `user_clients` (`user_id`,`parent_client_id`);