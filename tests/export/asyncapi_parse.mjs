// Parse an AsyncAPI document with the official JavaScript parser (@asyncapi/parser) and fail on
// any diagnostic of severity error, printing them. Usage: node asyncapi_parse.mjs FILE
// The parser is loaded from var/asyncapi-parser (make asyncapi-parser installs it). It must never
// reach the network: remote $refs are refused and every outgoing connection throws.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import tls from "node:tls";

const refuse = () => {
  throw new Error("network access refused: the export must validate offline");
};
net.connect = net.createConnection = tls.connect = refuse;
net.Socket.prototype.connect = refuse;
globalThis.fetch = async () => refuse();

const prefix = process.env.ASYNCAPI_PARSER_PREFIX || new URL("../../var/asyncapi-parser/", import.meta.url).pathname;
const require = createRequire(`${prefix}/package.json`);
const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");
const { AvroSchemaParser } = require("@asyncapi/avro-schema-parser");

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node asyncapi_parse.mjs FILE");
  process.exit(2);
}
const remote = { order: 0, read: () => refuse() };
const parser = new Parser({
  schemaParsers: [AvroSchemaParser()],
  __unstable: { resolver: { resolvers: [{ schema: "http", ...remote }, { schema: "https", ...remote }] } },
});
const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"), { source: file });
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
for (const d of errors) {
  const line = d.range ? d.range.start.line + 1 : "?";
  console.log(`${file}:${line}: ${d.code}: ${d.message} at /${d.path.join("/")}`);
}
if (errors.length || !document) process.exit(1);
console.log(`ok: ${file} (${diagnostics.length} diagnostics below error)`);
