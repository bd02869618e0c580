ALTER TABLE `dialogs` ADD `fanout_since` datetime(3);--> statement-breakpoint
ALTER TABLE `user_dialogs` ADD `big` boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `user_dialogs_big_idx` ON `user_dialogs` (`user_id`,`big`,`dialog_id`);