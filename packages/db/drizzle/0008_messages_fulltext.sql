-- Message search: InnoDB FULLTEXT over the derived search_text column (Drizzle cannot declare
-- FULLTEXT). Every search statement also pins dialog_id, so on Vitess it runs on the dialog's shard.
ALTER TABLE `messages` ADD FULLTEXT INDEX `messages_search_ft` (`search_text`);
