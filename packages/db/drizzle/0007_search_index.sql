CREATE TABLE `user_search_terms` (
	`prefix` varchar(16) NOT NULL,
	`term` varchar(64) NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`kind` enum('handle','name') NOT NULL,
	CONSTRAINT `user_search_terms_pk` PRIMARY KEY(`prefix`,`term`,`user_id`)
);
--> statement-breakpoint
ALTER TABLE `messages` ADD `search_text` text GENERATED ALWAYS AS (json_value(content, '$.text')) STORED;