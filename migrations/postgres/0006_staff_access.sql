-- Failed sign-ins are counted within a window starting at the first failure, so one wrong try
-- every quarter hour cannot keep an account locked for ever.
alter table admin_user add column failures_since bigint;
