import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795720852273 implements MigrationInterface {
  name = 'Init1795720852273';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" character varying(255) NOT NULL, "title" character varying(200) NOT NULL, "description" character varying(1000), "completed" boolean NOT NULL DEFAULT false, "priority" character varying(10) NOT NULL DEFAULT 'medium', "due_date" TIMESTAMP(3) WITH TIME ZONE, "tags" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', CONSTRAINT "ck_tasks_title_length" CHECK (char_length("title") BETWEEN 1 AND 200), CONSTRAINT "ck_tasks_priority" CHECK ("priority" IN ('low', 'medium', 'high')), CONSTRAINT "pk_tasks" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_tasks_user_created_id" ON "tasks"  ("user_id", "created_at", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_tasks_user_created_id"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
  }
}
