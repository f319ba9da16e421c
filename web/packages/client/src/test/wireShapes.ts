/**
 * Compares the SDK's TypeScript wire types with the JSON Schemas of docs/openapi.yaml and
 * docs/asyncapi.yaml, field by field: names, which are required, string enums, and the same down
 * nested objects and arrays. Used by wire.conformance.test.ts; answers the differences as
 * sentences, empty when the two agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse } from 'yaml';

export type Schema = Record<string, unknown>;

/** The two API documents, parsed, by file name (their cross-file $refs use these names). */
export class ApiDocs {
  private readonly docs = new Map<string, Schema>();

  constructor(readonly dir: string) {
    for (const name of ['openapi.yaml', 'asyncapi.yaml'])
      this.docs.set(name, parse(readFileSync(join(dir, name), 'utf8')) as Schema);
  }

  doc(name: string): Schema {
    return this.docs.get(name)!;
  }

  /** Follows `$ref` (within a document or to the other one), `allOf` and nullable `oneOf`. */
  resolve(schema: Schema, doc: string): { schema: Schema; doc: string } {
    for (let depth = 0; depth < 20; depth++) {
      const ref = schema.$ref as string | undefined;
      if (ref) {
        const [file, pointer] = ref.split('#');
        const target = file ? file.replace(/^\.\//, '') : doc;
        let node: unknown = this.doc(target);
        for (const part of pointer.split('/').filter(Boolean)) node = (node as Schema)[part];
        if (node === undefined) throw new Error(`unresolved $ref ${ref} in ${doc}`);
        schema = node as Schema;
        doc = target;
        continue;
      }
      const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
      const nonNull = variants?.filter((v) => v.type !== 'null');
      if (nonNull?.length === 1) {
        schema = nonNull[0];
        continue;
      }
      if (Array.isArray(schema.allOf)) {
        const parts = (schema.allOf as Schema[]).map((s) => this.resolve(s, doc).schema);
        schema = {
          type: 'object',
          properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Schema,
          required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
        };
        continue;
      }
      return { schema, doc };
    }
    throw new Error(`$ref cycle in ${doc}`);
  }
}

/** The exported types of some SDK modules, through the TypeScript compiler. */
export class SdkTypes {
  readonly checker: ts.TypeChecker;
  private readonly exports = new Map<string, ts.Symbol>();

  /** `files`: SDK modules to read; `extra`: in-memory modules (path → text) read as well. */
  constructor(files: string[], extra: Record<string, string> = {}) {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      strict: true,
      resolveJsonModule: true,
      noEmit: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (f) => f in extra || fileExists.call(host, f);
    host.readFile = (f) => extra[f] ?? readFile.call(host, f);
    host.getSourceFile = (f, lang, ...rest) =>
      f in extra
        ? ts.createSourceFile(f, extra[f], lang)
        : getSourceFile.call(host, f, lang, ...rest);
    const program = ts.createProgram([...files, ...Object.keys(extra)], options, host);
    this.checker = program.getTypeChecker();
    for (const f of [...files, ...Object.keys(extra)]) {
      const module = this.checker.getSymbolAtLocation(program.getSourceFile(f)!)!;
      for (const s of this.checker.getExportsOfModule(module)) this.exports.set(s.name, s);
    }
  }

  type(name: string): ts.Type {
    const symbol = this.exports.get(name);
    if (!symbol) throw new Error(`the SDK exports no type ${name}`);
    return this.checker.getDeclaredTypeOfSymbol(symbol);
  }
}

const NULLISH = ts.TypeFlags.Null | ts.TypeFlags.Undefined;

/**
 * Which way a payload goes. The SDK reads what the server sends: a field it counts on must be
 * required by the docs, while a documented field it treats as optional is only caution (older
 * servers). It writes requests: every field the docs require, it must always send.
 */
export type Direction = 'read' | 'write';

/** The differences between the SDK type `type` and the schema at `schema`, as sentences. */
export function compareShapes(
  sdk: SdkTypes,
  docs: ApiDocs,
  direction: Direction,
  type: ts.Type,
  schema: Schema,
  doc: string,
  path: string,
): string[] {
  const { checker } = sdk;
  const resolved = docs.resolve(schema, doc);
  schema = resolved.schema;
  doc = resolved.doc;
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & NULLISH));
  if (parts.length === 0) return [];

  // String literal unions against enum / const.
  if (parts.every((t): t is ts.StringLiteralType => t.isStringLiteral())) {
    const allowed =
      (schema.enum as unknown[] | undefined) ?? ('const' in schema ? [schema.const] : null);
    if (!allowed) return [];
    const ours = parts.map((t) => t.value);
    const theirs = allowed.filter((v) => v !== null).map(String);
    const out: string[] = [];
    for (const v of ours.filter((v) => !theirs.includes(v)))
      out.push(`${path}: the SDK allows "${v}", the docs do not`);
    for (const v of theirs.filter((v) => !ours.includes(v)))
      out.push(`${path}: the docs allow "${v}", the SDK type does not`);
    return out;
  }
  if (parts.length !== 1) return []; // A union of shapes (e.g. a transfer target): not compared.
  const [one] = parts;

  if (checker.isArrayType(one)) {
    const items = schema.items as Schema | undefined;
    if (!items) return [`${path}: an array in the SDK, not in the docs`];
    return compareShapes(
      sdk,
      docs,
      direction,
      checker.getTypeArguments(one as ts.TypeReference)[0],
      items,
      doc,
      `${path}[]`,
    );
  }

  const declaredIn = one.getSymbol()?.declarations?.[0]?.getSourceFile().fileName ?? '';
  const isLibType = declaredIn.includes('/typescript/lib/');
  const properties = checker.getPropertiesOfType(one);
  if (!(one.flags & ts.TypeFlags.Object) || isLibType || properties.length === 0) return [];
  const documented = schema.properties as Record<string, Schema> | undefined;
  if (!documented) return [`${path}: an object with fields in the SDK, none in the docs`];
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const out: string[] = [];
  const ours = new Set(properties.map((p) => p.name));
  for (const name of Object.keys(documented))
    if (!ours.has(name)) out.push(`${path}.${name}: in the docs, missing from the SDK type`);
  for (const p of properties) {
    const at = `${path}.${p.name}`;
    const fieldSchema = documented[p.name];
    if (!fieldSchema) {
      out.push(`${at}: in the SDK type, not in the docs`);
      continue;
    }
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    if (direction === 'read' && !optional && !required.has(p.name))
      out.push(`${at}: read as always there by the SDK, optional in the docs`);
    if (direction === 'write' && optional && required.has(p.name))
      out.push(`${at}: required in the docs, not always sent by the SDK`);
    out.push(
      ...compareShapes(sdk, docs, direction, checker.getTypeOfSymbol(p), fieldSchema, doc, at),
    );
  }
  return out;
}

/** The members of a union of message types, by their `type` literal. */
export function messagesByType(sdk: SdkTypes, union: ts.Type): Map<string, ts.Type> {
  const out = new Map<string, ts.Type>();
  for (const member of union.isUnion() ? union.types : [union]) {
    const typeField = member.getProperty('type');
    const literal = typeField && sdk.checker.getTypeOfSymbol(typeField);
    const names = literal?.isUnion() ? literal.types : literal ? [literal] : [];
    for (const n of names) if (n.isStringLiteral()) out.set(n.value, member);
  }
  return out;
}

/**
 * The messages of the AsyncAPI document one way, by name, with their payload schemas:
 * server → browser are the messages of `send` operations and the replies of `receive` ones;
 * browser → server the other way round.
 */
export function asyncApiMessages(
  docs: ApiDocs,
  direction: 'server-to-browser' | 'browser-to-server',
): Map<string, Schema> {
  const asyncapi = docs.doc('asyncapi.yaml');
  const sent = direction === 'server-to-browser' ? 'send' : 'receive';
  const out = new Map<string, Schema>();
  for (const op of Object.values(asyncapi.operations as Record<string, Schema>)) {
    const refs =
      op.action === sent
        ? (op.messages as Schema[])
        : (((op.reply as Schema | undefined)?.messages as Schema[] | undefined) ?? []);
    for (const ref of refs) {
      const message = docs.resolve(ref, 'asyncapi.yaml').schema;
      out.set(message.name as string, message.payload as Schema);
    }
  }
  return out;
}

export const DOCS_DIR = fileURLToPath(new URL('../../../../../docs', import.meta.url));
