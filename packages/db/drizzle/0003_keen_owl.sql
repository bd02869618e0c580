CREATE INDEX `client_sessions_expires_idx` ON `client_sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `user_clients_revoked_idx` ON `user_clients` (`revoked_at`);