/**
 * The fixture schemas of the fidelity round trips (fidelity-*.test.ts): one statement each,
 * every object kind the engine has that a schema export must re-create.
 */

/** A login the MariaDB fixture grants to (`'user'@'host'`). */
export const MARIADB_READER = "'atrium_fid_reader'@'localhost'";

/** MariaDB: partitions of each method, sequences, system versioning, invisible columns, index kinds, case twins. */
export const MARIADB_FIXTURE = [
  'create table `Twin` (id int primary key, v varchar(10) not null, unique key `u_v` (v), check (id > 0))',
  'create table `twin` (k int primary key, w int, key `u_v` (w))',
  'create sequence seq_orders start with 100 increment by 5 minvalue 1 maxvalue 100000 cache 10 cycle',
  'create sequence seq_plain',
  `create table orders (
    id bigint not null default nextval(seq_orders) primary key,
    twin_id int,
    note varchar(40) invisible default 'none',
    total decimal(10,2) not null default 0,
    doubled decimal(11,2) as (total * 2) virtual,
    touched int not null default 0,
    constraint orders_twin foreign key (twin_id) references \`Twin\` (id) on delete set null)`,
  `create table sales (id int not null, sold date not null, amount decimal(10,2), primary key (id, sold))
    partition by range (year(sold)) (
      partition p2020 values less than (2021) comment 'first year',
      partition p2021 values less than (2022),
      partition pmax values less than maxvalue)`,
  `create table regions (id int not null, region varchar(10) not null)
    partition by list columns (region) (partition pn values in ('north', 'east'), partition ps values in ('south'))`,
  `create table dated (id int not null, d date not null)
    partition by range columns (d) (partition old values less than ('2020-01-01'), partition rest values less than (maxvalue))`,
  'create table hashed (id int not null primary key) partition by hash (id) partitions 3',
  'create table keyed (id int not null primary key) partition by linear key (id) partitions 2',
  `create table subp (id int not null, d date not null)
    partition by range (year(d)) subpartition by hash (to_days(d)) subpartitions 2
    (partition a values less than (2000), partition b values less than maxvalue)`,
  'create table ledger (id int primary key, amount int) with system versioning',
  `create table ledger2 (id int primary key, amount int,
    rs timestamp(6) generated always as row start invisible,
    re timestamp(6) generated always as row end invisible,
    period for system_time (rs, re)) with system versioning`,
  // History partitioning: its INTERVAL/LIMIT, STARTS and AUTO are only in SHOW CREATE TABLE.
  `create table rotated (id int, v int) with system versioning
    partition by system_time interval 1 day starts '2030-01-01 00:00:00' auto
    (partition p0 history comment 'oldest', partition p1 history, partition pn current)`,
  'create table capped (id int) with system versioning partition by system_time limit 1000 partitions 3',
  `create table docs (id int primary key, title varchar(200), body text, g point not null, name varchar(100),
    fulltext key ft (title, body), spatial key sp (g), key pre (name(10)), key pre2 (body(20)), key kd (title desc, id))`,
  'create function twice(x int) returns int deterministic return x * 2',
  'create view doubled as select id, twice(id) as d from `Twin`',
  'create trigger orders_touch before update on orders for each row set new.touched = old.touched + 1',
  "create event nightly on schedule every 1 day starts '2030-01-01 00:00:00' do delete from ledger where id < 0",
  // Logins are server-wide: the test drops this one when it ends.
  `create user if not exists ${MARIADB_READER}`,
  `grant select, insert on \`Twin\` to ${MARIADB_READER}`,
  `grant show view on * to ${MARIADB_READER}`,
];

/**
 * PostgreSQL: an extension-backed default, composite and range types, a trigger-kept column,
 * partitions, views over functions, table, column and routine grants.
 */
export const POSTGRES_FIXTURE = [
  'create extension if not exists "uuid-ossp"',
  'create schema billing',
  'create type billing.money_pair as (amount numeric(10,2), currency char(3))',
  'create type float_range as range (subtype = float8)',
  "create type mood as enum ('ok', 'meh')",
  'create domain positive_int as integer check (value > 0)',
  'create sequence order_no start 1000 increment 10',
  `create table customers (
    id uuid primary key default uuid_generate_v4(),
    name text not null,
    name_upper text,
    balance billing.money_pair,
    valid_during tstzrange,
    score float_range,
    visits positive_int,
    feeling mood default 'ok',
    order_no bigint not null default nextval('order_no'))`,
  "comment on table customers is 'people we sell to'",
  "comment on column customers.name_upper is 'kept by a trigger'",
  `create function set_name_upper() returns trigger language plpgsql as $$
    begin new.name_upper := upper(new.name); return new; end $$`,
  'create trigger customers_upper before insert or update on customers for each row execute function set_name_upper()',
  `create table measurements (id bigint generated always as identity, taken date not null, value numeric,
    primary key (id, taken)) partition by range (taken)`,
  "create table measurements_2020 partition of measurements for values from ('2020-01-01') to ('2021-01-01')",
  'create table measurements_rest partition of measurements default',
  'create index measurements_value on measurements (value)',
  'create table events (id int not null, kind text not null) partition by list (kind)',
  "create table events_ab partition of events for values in ('a', 'b')",
  "create function customer_label(c customers) returns text language sql stable as $$ select c.name || ' ' || c.id $$",
  'create view customer_labels as select id, customer_label(c) as label from customers c',
  'create function add_one(x int) returns int language sql immutable as $$ select x + 1 $$',
  'create view plus_one as select add_one(v.n) as n from (values (1)) v(n)',
  'create materialized view customer_count as select count(*) as n from customers',
  'alter table customers enable row level security',
  "create policy ada_only on customers for select to public using (name = 'Ada')",
  'create table audit (name text)',
  'create rule customers_audit as on insert to customers do also insert into audit values (new.name)',
  'grant select on customers to public',
  // Column grants, and a routine's default EXECUTE taken from PUBLIC and given to a role every
  // cluster has (a predefined role, so the test need create no login).
  'grant insert (name), update (name, name_upper) on customers to public',
  'revoke execute on function add_one(int) from public',
  'grant execute on function add_one(int) to pg_monitor',
];
