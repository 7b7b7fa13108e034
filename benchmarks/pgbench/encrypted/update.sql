-- Update of one encrypted column by primary key (benchmarks/pgbench/encrypted.sh): note
-- (randomized), a parameter that pgseal encrypts on Bind.
\set id random(1, :rows)
\set note random(1, 1000000000)
UPDATE accounts SET note = :note WHERE id = :id;
