DELETE FROM import_drafts WHERE kind NOT IN ('members', 'adoption');
ALTER TABLE import_drafts DROP CONSTRAINT import_drafts_kind_check;
ALTER TABLE import_drafts ADD CONSTRAINT import_drafts_kind_check CHECK (kind IN ('members', 'adoption'));

DROP INDEX tools_category;
ALTER TABLE tools DROP CONSTRAINT tools_category_fkey;
UPDATE tools SET category = 'other'
    WHERE category NOT IN ('developer_tools', 'data_infrastructure', 'core_libraries', 'model_training');
ALTER TABLE tools ADD CONSTRAINT tools_category_check CHECK (category IN
    ('developer_tools', 'data_infrastructure', 'core_libraries', 'model_training', 'other'));
DROP TABLE categories;
