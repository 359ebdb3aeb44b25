// Data source for the TypeORM CLI (npm run migration:generate|run|revert).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env.js';
import { buildDataSourceOptions } from './typeorm-options.js';
import { loadDotEnv } from '../config/dotenv.js';

loadDotEnv();
export default new DataSource(buildDataSourceOptions(validateEnv(process.env)));
