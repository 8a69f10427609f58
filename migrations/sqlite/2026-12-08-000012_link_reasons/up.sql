-- Why the grouping linked a proposal to a pain: `reporting` of the
-- proposal's `authors` (those who also reported a pain) report this one;
-- 0 authors when the words decided. Shown beside the link.
ALTER TABLE theme_links ADD COLUMN reporting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE theme_links ADD COLUMN authors BIGINT NOT NULL DEFAULT 0;
