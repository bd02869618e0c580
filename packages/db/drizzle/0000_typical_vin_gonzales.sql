CREATE TABLE `auth_identities` (
	`issuer` varchar(255) NOT NULL,
	`subject` varchar(255) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`email` varchar(320),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `auth_identities_pk` PRIMARY KEY(`issuer`,`subject`)
);
--> statement-breakpoint
CREATE TABLE `client_sessions` (
	`user_id` bigint unsigned NOT NULL,
	`token_hash` char(64) NOT NULL,
	`client_id` bigint unsigned NOT NULL,
	`kind` enum('session','refresh') NOT NULL,
	`family_id` bigint unsigned NOT NULL,
	`successor_hash` char(64),
	`rotated_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`revoked_at` datetime(3),
	CONSTRAINT `client_sessions_pk` PRIMARY KEY(`user_id`,`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `password_credentials` (
	`user_id` bigint unsigned NOT NULL,
	`password_hash` varchar(255) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `password_credentials_user_id` PRIMARY KEY(`user_id`)
);
--> statement-breakpoint
CREATE TABLE `user_clients` (
	`user_id` bigint unsigned NOT NULL,
	`client_id` bigint unsigned NOT NULL,
	`name` varchar(128) NOT NULL,
	`kind` enum('browser','token') NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`last_seen_at` datetime(3) NOT NULL,
	`gateway` varchar(64),
	`revoked_at` datetime(3),
	CONSTRAINT `user_clients_pk` PRIMARY KEY(`user_id`,`client_id`)
);
--> statement-breakpoint
CREATE TABLE `dialog_client_seqs` (
	`dialog_id` bigint unsigned NOT NULL,
	`client_id` bigint unsigned NOT NULL,
	`last_client_seq` bigint unsigned NOT NULL DEFAULT 0,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `dialog_client_seqs_pk` PRIMARY KEY(`dialog_id`,`client_id`)
);
--> statement-breakpoint
CREATE TABLE `dialog_members` (
	`dialog_id` bigint unsigned NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`role` enum('owner','admin','member') NOT NULL,
	`joined_seq` bigint unsigned NOT NULL DEFAULT 0,
	`delivered_seq` bigint unsigned NOT NULL DEFAULT 0,
	`read_seq` bigint unsigned NOT NULL DEFAULT 0,
	`joined_at` datetime(3) NOT NULL,
	CONSTRAINT `dialog_members_pk` PRIMARY KEY(`dialog_id`,`user_id`)
);
--> statement-breakpoint
CREATE TABLE `dialog_messages` (
	`dialog_id` bigint unsigned NOT NULL,
	`seq` bigint unsigned NOT NULL,
	`msg_id` bigint unsigned NOT NULL,
	`sender_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `dialog_messages_pk` PRIMARY KEY(`dialog_id`,`seq`),
	CONSTRAINT `dialog_messages_msg_uq` UNIQUE(`dialog_id`,`msg_id`)
);
--> statement-breakpoint
CREATE TABLE `dialogs` (
	`id` bigint unsigned NOT NULL,
	`kind` enum('direct','group') NOT NULL,
	`title` varchar(128),
	`created_by` bigint unsigned NOT NULL,
	`last_seq` bigint unsigned NOT NULL DEFAULT 0,
	`members_version` int unsigned NOT NULL DEFAULT 0,
	`member_count` int unsigned NOT NULL DEFAULT 0,
	`last_message_id` bigint unsigned,
	`last_sender_id` bigint unsigned,
	`last_preview` varchar(200),
	`last_message_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `dialogs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `message_tombstones` (
	`dialog_id` bigint unsigned NOT NULL,
	`msg_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `message_tombstones_pk` PRIMARY KEY(`dialog_id`,`msg_id`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`dialog_id` bigint unsigned NOT NULL,
	`id` bigint unsigned NOT NULL,
	`kind` varchar(32) NOT NULL,
	`payload` json NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `outbox_pk` PRIMARY KEY(`dialog_id`,`id`)
);
--> statement-breakpoint
CREATE TABLE `user_dialogs` (
	`user_id` bigint unsigned NOT NULL,
	`dialog_id` bigint unsigned NOT NULL,
	`kind` enum('direct','group') NOT NULL,
	`peer_user_id` bigint unsigned,
	`joined_at` datetime(3) NOT NULL,
	CONSTRAINT `user_dialogs_pk` PRIMARY KEY(`user_id`,`dialog_id`)
);
--> statement-breakpoint
CREATE TABLE `leases` (
	`name` varchar(128) NOT NULL,
	`holder` varchar(128) NOT NULL,
	`fence` bigint unsigned NOT NULL DEFAULT 0,
	`expires_at` datetime(3) NOT NULL,
	CONSTRAINT `leases_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`dialog_id` bigint unsigned NOT NULL,
	`id` bigint unsigned NOT NULL,
	`sender_id` bigint unsigned NOT NULL,
	`sender_client_id` bigint unsigned NOT NULL,
	`client_msg_id` varchar(64) NOT NULL,
	`client_seq` bigint unsigned NOT NULL,
	`kind` varchar(16) NOT NULL,
	`content` json NOT NULL,
	`status` enum('pending','committed','failed') NOT NULL,
	`seq` bigint unsigned,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `messages_pk` PRIMARY KEY(`dialog_id`,`id`),
	CONSTRAINT `messages_client_msg_uq` UNIQUE(`dialog_id`,`sender_client_id`,`client_msg_id`)
);
--> statement-breakpoint
CREATE TABLE `user_handles` (
	`handle_norm` varchar(64) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `user_handles_pk` PRIMARY KEY(`handle_norm`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` bigint unsigned NOT NULL,
	`handle` varchar(32) NOT NULL,
	`display_name` varchar(64) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `users_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `client_sessions_client_idx` ON `client_sessions` (`user_id`,`client_id`);--> statement-breakpoint
CREATE INDEX `client_sessions_family_idx` ON `client_sessions` (`user_id`,`family_id`);--> statement-breakpoint
CREATE INDEX `outbox_created_idx` ON `outbox` (`created_at`);--> statement-breakpoint
CREATE INDEX `messages_status_idx` ON `messages` (`status`,`created_at`);