// Data source for the TypeORM CLI (npm run migration:generate|run|revert): DATABASE_DIRECT_URL when set.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env.js';
import { buildDataSourceOptions, dbEnvOf } from './typeorm-options.js';
import { loadDotEnv } from '../config/dotenv.js';

loadDotEnv();
export default new DataSource(buildDataSourceOptions(dbEnvOf(validateEnv(process.env)), 'migrations'));
