ALTER TABLE `dialog_members` ADD `muted` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `avatar_key` varchar(191);--> statement-breakpoint
ALTER TABLE `dialogs` ADD `profile_version` int unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `avatar_key` varchar(191);--> statement-breakpoint
ALTER TABLE `users` ADD `profile_version` int unsigned DEFAULT 0 NOT NULL;