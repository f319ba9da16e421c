/**
 * The SDK's wire types against the project's API documents (docs/asyncapi.yaml for the
 * WebSocket, docs/openapi.yaml for REST): every message name both ways, and for each message and
 * payload every field, whether it is required, and its string enums, nested objects included.
 * A field renamed on either side fails here.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorsSpec } from './errors';
import {
  ApiDocs,
  DOCS_DIR,
  SdkTypes,
  asyncApiMessages,
  compareShapes,
  messagesByType,
  type Direction,
  type Schema,
} from './test/wireShapes';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const docs = new ApiDocs(DOCS_DIR);
const sdk = new SdkTypes([here('./types.ts'), here('./ops/summary.ts')]);
const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** REST payloads: SDK type → the openapi.yaml schema, and whether the SDK reads or sends it. */
const REST_PAYLOADS: [string, string, Direction][] = [
  ['Call', 'Call', 'read'],
  ['StaffEntry', 'StaffEntry', 'read'],
  ['QueueSpot', 'QueueSpot', 'read'],
  ['IceServersResponse', 'IceServers', 'read'],
  ['OpsSummaryWire', 'OpsSummary', 'read'],
  ['QualitySample', 'QualitySample', 'write'],
  ['Feedback', 'FeedbackRequest', 'write'],
];

describe.each([
  ['server → browser', 'ServerMessage', 'server-to-browser', 'read'],
  ['browser → server', 'ClientMessage', 'browser-to-server', 'write'],
] as const)('WebSocket messages %s', (_, union, way, direction) => {
  const ours = messagesByType(sdk, sdk.type(union));
  const theirs = asyncApiMessages(docs, way);

  it('are the same set of names in the SDK and in asyncapi.yaml', () => {
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  });

  it.each([...theirs.keys()].filter((name) => ours.has(name)))(
    '%s has the documented fields',
    (name) => {
      const type = ours.get(name)!;
      const schema = theirs.get(name)!;
      expect(compareShapes(sdk, docs, direction, type, schema, 'asyncapi.yaml', name)).toEqual([]);
    },
  );
});

describe('REST payloads', () => {
  it.each(REST_PAYLOADS)('%s matches openapi.yaml %s (%s)', (type, schema, direction) => {
    expect(
      compareShapes(sdk, docs, direction, sdk.type(type), schemaRef(schema), 'openapi.yaml', type),
    ).toEqual([]);
  });

  it('error codes are the same in spec/errors.json and openapi.yaml', () => {
    const documented = docs.resolve(schemaRef('ErrorCode'), 'openapi.yaml').schema.enum;
    expect([...(documented as string[])].sort()).toEqual(
      errorsSpec.codes.map((c) => c.code).sort(),
    );
  });
});

describe('the comparison itself', () => {
  const altered = here('./altered-wire-types.ts');
  const withChanges = new SdkTypes([here('./types.ts')], {
    [altered]: `
      import type { ServerCallState, Topic } from './types';
      export type QueueUpdated = {
        type: 'queue.updated';
        call_id: string;
        position: number;
        estimated_wait_secs: number | null;
      };
      export type Subscribe = { type: 'subscribe'; topic?: Topic; seq?: number };
      export type CallState = Exclude<ServerCallState, 'queued'>;
    `,
  });
  const compare = (direction: Direction, type: string, schema: Schema, doc: string) =>
    compareShapes(withChanges, docs, direction, withChanges.type(type), schema, doc, type);

  it('fails on a renamed field', () => {
    const queueUpdated = asyncApiMessages(docs, 'server-to-browser').get('queue.updated')!;
    expect(compare('read', 'QueueUpdated', queueUpdated, 'asyncapi.yaml')).toEqual([
      'QueueUpdated.estimated_wait_s: in the docs, missing from the SDK type',
      'QueueUpdated.estimated_wait_secs: in the SDK type, not in the docs',
    ]);
  });

  it('fails on a required field the SDK may leave out of what it sends', () => {
    const subscribe = asyncApiMessages(docs, 'browser-to-server').get('subscribe')!;
    expect(compare('write', 'Subscribe', subscribe, 'asyncapi.yaml')).toEqual([
      'Subscribe.topic: required in the docs, not always sent by the SDK',
    ]);
  });

  it('fails on a documented enum value the SDK type lacks', () => {
    expect(compare('read', 'CallState', schemaRef('CallState'), 'openapi.yaml')).toEqual([
      'CallState: the docs allow "queued", the SDK type does not',
    ]);
  });
});
