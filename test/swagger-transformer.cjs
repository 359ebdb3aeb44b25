// Runs the @nestjs/swagger CLI plugin inside ts-jest, so the app under test documents its
// DTOs exactly as the `nest build` output does. Options must match nest-cli.json.
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const options = nestCli.compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger').options;

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler) => plugin.before(options, tsCompiler.program),
};
