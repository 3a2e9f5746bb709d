-- Which months of police.uk figures are held, and from where (issue 13). An import replaces the
-- whole of every month it covers, so importing a file twice never counts a crime twice, and a
-- month with no row in crime_count for an area had no recorded crime there.
create table crime_month (
    month        text primary key,
    source       text not null,
    rows_read    bigint not null,
    imported_at  bigint not null
);
