CREATE TABLE `message_id_lookup` (
	`id` bigint unsigned NOT NULL,
	`keyspace_id` varbinary(10) NOT NULL,
	CONSTRAINT `message_id_lookup_id` PRIMARY KEY(`id`)
);
