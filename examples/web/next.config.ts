import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // The typed client is TypeScript source (../../clients/typescript, copied in by npm: .npmrc).
  transpilePackages: ['@tasks-api/client'],
  // This folder is its own project, not part of the API's (whose package-lock.json is above it).
  turbopack: { root: fileURLToPath(new URL('.', import.meta.url)) },
  outputFileTracingRoot: fileURLToPath(new URL('.', import.meta.url)),
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
