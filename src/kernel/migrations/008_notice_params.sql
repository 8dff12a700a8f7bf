-- A notice's parameters, from which its title is written in the reader's language (kernel/notify/templates.ts).
ALTER TABLE kernel.notification ADD COLUMN params jsonb;
