// Type-checks Grafana dashboard JSON files against Grafana's published dashboard
// model (the npm package @grafana/schema) with the TypeScript compiler.
//
//   node check_dashboards.mjs DASHBOARD.json [...]
//
// Each file becomes build/<name>.ts:
//   import type { Dashboard } from '@grafana/schema';
//   export const d: AsJson<Dashboard> = <the JSON>;
// (importing the .json directly would widen string literals and reject every
// variable "type"), then `tsc --noEmit` runs with strict, nodenext and skipLibCheck.
// AsJson<T> is Dashboard with every string enum (ThresholdsMode, MappingType,
// FieldColorModeId, ...) replaced by the union of its values: a TypeScript enum type
// rejects the plain string "absolute" that the JSON holds, although its value is
// exactly "absolute". Everything else (required fields, excess properties, number vs
// string, literal unions such as a variable's "type") is checked as Dashboard says.
// Exit status: 0 all valid, 1 type errors (printed with the offending field), 2 usage.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check_dashboards.mjs DASHBOARD.json [...]');
  process.exit(2);
}
const build = path.join(here, 'build');
fs.rmSync(build, { recursive: true, force: true });
fs.mkdirSync(build);
fs.writeFileSync(path.join(build, 'as_json.ts'),
  '// A type as JSON can hold it: string enums become the union of their values.\n' +
  'export type AsJson<T> = T extends string ? `${T}`\n' +
  '  : T extends Array<infer U> ? Array<AsJson<U>>\n' +
  '  : T extends object ? { [K in keyof T]: AsJson<T[K]> }\n' +
  '  : T;\n');
const sources = files.map((file, i) => {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ts = path.join(build, `d${i}_${path.basename(file, '.json').replace(/[^A-Za-z0-9_-]/g, '_')}.ts`);
  fs.writeFileSync(ts, `import type { Dashboard } from '@grafana/schema';\n` +
    `import type { AsJson } from './as_json.js';\n` +
    `export const d: AsJson<Dashboard> = ${JSON.stringify(json, null, 2)};\n`);
  return path.basename(ts);
});
fs.writeFileSync(path.join(build, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext',
    target: 'es2022', skipLibCheck: true, types: [],
  },
  files: sources,
}, null, 2));
const tsc = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(build, 'tsconfig.json')], { stdio: 'inherit', cwd: build });
} catch (e) {
  process.exit(1);
}
console.log(`${files.length} dashboard(s) match @grafana/schema's Dashboard type`);
