CREATE TABLE `attachments` (
	`scope_id` bigint unsigned NOT NULL,
	`id` bigint unsigned NOT NULL,
	`purpose` enum('message','dialog_avatar','user_avatar') NOT NULL,
	`owner_id` bigint unsigned NOT NULL,
	`name` varchar(255) NOT NULL,
	`mime` varchar(100) NOT NULL,
	`size` bigint unsigned NOT NULL DEFAULT 0,
	`width` int unsigned,
	`height` int unsigned,
	`has_thumb` boolean NOT NULL DEFAULT false,
	`state` enum('uploading','uploaded') NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `attachments_pk` PRIMARY KEY(`scope_id`,`id`)
);
