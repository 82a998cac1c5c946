-- Every resource of one kind across accounts, in id order (`Maintenance::scan_kind`): monitoring
-- pages through the registered checks after each list import, and without this index each page
-- walked the primary key over every other kind of resource.
CREATE INDEX resources_by_kind_id ON resources (kind, id);
