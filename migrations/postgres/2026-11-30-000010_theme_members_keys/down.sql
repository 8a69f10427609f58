ALTER TABLE theme_members ADD CONSTRAINT theme_members_response_id_fkey
    FOREIGN KEY (response_id) REFERENCES responses (id) ON DELETE CASCADE;
ALTER TABLE theme_members ADD CONSTRAINT theme_members_tool_id_fkey
    FOREIGN KEY (tool_id) REFERENCES tools (id);
