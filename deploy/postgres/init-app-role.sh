#!/bin/sh
# docker-entrypoint-initdb.d: at the first start of the compose PostgreSQL, make the role the API
# serves with (deploy/postgres/app-role.sql), in the API's database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user=tasks_app -v app_password="$TASKS_APP_PASSWORD" -f /deploy/postgres/app-role.sql
