CREATE TABLE `message_reactions` (
	`dialog_id` bigint unsigned NOT NULL,
	`message_id` bigint unsigned NOT NULL,
	`emoji` varchar(16) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `message_reactions_pk` PRIMARY KEY(`dialog_id`,`message_id`,`emoji`,`user_id`)
);
--> statement-breakpoint
ALTER TABLE `messages` ADD `target_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `messages` ADD `version` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `edited_at` datetime(3);--> statement-breakpoint
ALTER TABLE `messages` ADD `reactions` json;--> statement-breakpoint
CREATE INDEX `messages_target_idx` ON `messages` (`dialog_id`,`target_id`);