-- Several statements per line, \copy both ways, notices and errors mid-script.
create temp table items (id int primary key, name text not null, price numeric(8,2));
insert into items values (1, 'one', 1.10); insert into items values (2, 'two', 2.20); select count(*) as two_rows from items;
select 1 as a; select 2 as b; select 'three' as c
  , 3 as d;
\copy items from 'items-in.csv' with (format csv)
select id, name, price from items order by id;
do $$ begin raise notice 'notice with %', 'a parameter'; end $$;
select 1 / 0 as division_by_zero;
select 'after error' as status;
insert into items values (1, 'duplicate', 0); select 'same line after error' as status;
select 10 as first_of_three \; select 1 / 0 as second_fails \; select 30 as third_never_runs;
begin; insert into items values (100, 'in tx', 1); selec 1; select 'aborted'; rollback;
select count(*) as after_rollback from items;
\copy (select id, name, price from items order by id) to 'items-out.csv' with (format csv, header)
select string_agg(name, ',' order by id) as names from items;
