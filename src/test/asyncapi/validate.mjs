// Validates the worker's AsyncAPI document with the AsyncAPI parser itself (@asyncapi/parser), the
// tool that code generators, documentation renderers and other AsyncAPI tooling build on:
//   node validate.mjs <path to asyncapi.yaml>
// 1. The document must parse without an error, and without a warning other than the advice to move
//    to a newer AsyncAPI version.
// 2. Every schemaFormat it uses must be one the parser validates: the parser silently skips a
//    format it has no schema parser for, so a schema in such a format would never be checked.
// 3. Self-check: the same document with a broken schema (type: 123) must fail, once for an inline
//    schema, once per referenced schema file, and once with an unvalidated schemaFormat. A check
//    that cannot fail proves nothing.
// Exit code 0 when all hold, 1 otherwise.
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';
import yaml from 'js-yaml';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Warnings that do not fail the check: the document targets AsyncAPI 3.0.0 on purpose. */
const ALLOWED_WARNINGS = new Set(['asyncapi-latest-version']);

const documentPath = path.resolve(process.argv[2] ?? '../../main/resources/asyncapi.yaml');

/**
 * What the parser (parser: its errors and unexpected warnings) and the format check (formats: schemas
 * in a format the parser does not validate) find in the document at file; both empty when it is valid.
 */
async function problems(file) {
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, file).parse();
  const out = [];
  const formats = [];
  for (const d of diagnostics) {
    const where = d.path.join('/');
    if (d.severity === DiagnosticSeverity.Error) {
      out.push(`error ${d.code} at ${where}: ${d.message}`);
    } else if (d.severity === DiagnosticSeverity.Warning && !ALLOWED_WARNINGS.has(d.code)) {
      out.push(`warning ${d.code} at ${where}: ${d.message}`);
    }
  }
  if (!document && out.length === 0) {
    out.push('the parser returned no document');
  }
  const validated = new Set(parser.parserRegistry.keys());
  for (const [where, format] of schemaFormats(yaml.load(fs.readFileSync(file, 'utf8')), '')) {
    if (!validated.has(format)) {
      formats.push(`schemaFormat ${format} at ${where} is not one the parser validates`);
    }
  }
  return { parser: out, formats, validated: [...validated] };
}

/** Every schemaFormat in the document, with its JSON pointer. */
function* schemaFormats(node, where) {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* schemaFormats(node[i], `${where}/${i}`);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schemaFormat' && typeof v === 'string') yield [where, v];
      else yield* schemaFormats(v, `${where}/${k}`);
    }
  }
}

/** A copy of the document's folder (asyncapi.yaml and schemas/) with one change applied. */
function brokenCopy(change) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncapi-check-'));
  fs.cpSync(path.dirname(documentPath), dir, { recursive: true });
  const copy = path.join(dir, path.basename(documentPath));
  change(dir, copy);
  return { dir, copy };
}

function editYaml(file, edit) {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  edit(doc);
  fs.writeFileSync(file, yaml.dump(doc, { lineWidth: -1 }));
}

function editJson(file, edit) {
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(schema);
  fs.writeFileSync(file, JSON.stringify(schema, null, 2));
}

/** The injected errors the check must catch, by name, each with the part of the check that must catch it. */
function injections() {
  const out = {
    'inline header schema with type: 123': ['parser', (dir, copy) => editYaml(copy, (doc) => {
      const schemas = Object.values(doc.components.schemas);
      const s = schemas.find((x) => x.schema && x.schema.properties);
      s.schema.properties[Object.keys(s.schema.properties)[0]].type = 123;
    })],
    'every schemaFormat set to application/schema+json;version=2020-12': ['formats', (dir, copy) => {
      const text = fs.readFileSync(copy, 'utf8');
      fs.writeFileSync(copy, text.replace(/schemaFormat: .*/g, 'schemaFormat: application/schema+json;version=2020-12'));
    }],
  };
  const schemaDir = path.join(path.dirname(documentPath), 'schemas');
  for (const name of fs.readdirSync(schemaDir).filter((f) => f.endsWith('.json')).sort()) {
    out[`schemas/${name} with type: 123`] = ['parser', (dir) => editJson(path.join(dir, 'schemas', name), (schema) => {
      const first = Object.keys(schema.properties)[0];
      schema.properties[first].type = 123;
    })];
  }
  return out;
}

let failed = false;
const found = await problems(documentPath);
if (found.parser.length + found.formats.length > 0) {
  failed = true;
  console.error(`[asyncapi] ${documentPath} is not valid:`);
  for (const p of [...found.parser, ...found.formats]) console.error(`  ${p}`);
  if (found.formats.length > 0) console.error(`  (formats the parser validates: ${found.validated.join(', ')})`);
} else {
  console.log(`[asyncapi] ${path.basename(documentPath)}: valid for @asyncapi/parser, every schema in a format it validates`);
  // Only a valid document shows that the check catches each injected error, not an error already there.
  for (const [name, [part, change]] of Object.entries(injections())) {
    const { dir, copy } = brokenCopy(change);
    try {
      const caught = (await problems(copy))[part];
      if (caught.length === 0) {
        failed = true;
        console.error(`[asyncapi] self-check FAILED: ${name} passed the ${part} check`);
      } else {
        console.log(`[asyncapi] self-check: ${name} is caught: ${caught[0].slice(0, 160)}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
process.exit(failed ? 1 : 0);
