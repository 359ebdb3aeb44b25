// `npm run build:all` (and before `npm test`): builds the API and this app, installing nothing.
import { prepare } from './stack.mjs';

prepare({ install: false });
