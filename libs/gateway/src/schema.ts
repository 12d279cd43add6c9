import { errorBody, type ErrorBody } from '@exchange/client';

/**
 * A small strict validator for JSON request bodies and WebSocket params. Unknown fields are refused
 * (UNKNOWN_FIELD), every other problem is VALIDATION_FAILED with the field's path. The same
 * schemas produce the JSON Schema of the OpenAPI document, so the docs and the checks cannot drift.
 */
export type FieldSpec = { description: string; required?: boolean } & (
  | { kind: 'string'; minLength?: number; maxLength: number; pattern?: RegExp; patternText?: string }
  | { kind: 'decimal' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'array'; items: ObjectSchema; maxItems: number }
  | { kind: 'enumList'; values: readonly string[]; maxItems: number }
);

export interface ObjectSchema {
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Non-negative decimal strings as users write them: digits, an optional fraction, no exponent. */
export const DECIMAL_PATTERN = /^\d{1,20}(\.\d{1,18})?$/;

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

function fail(field: string, message: string): { ok: false; error: ErrorBody } {
  return { ok: false, error: errorBody('VALIDATION_FAILED', message, field) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkField(spec: FieldSpec, v: unknown, path: string): ErrorBody | null {
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string') return fail(path, `${path} must be a string`).error;
      if (v.length < (spec.minLength ?? 0) || v.length > spec.maxLength)
        return fail(path, `${path} must be ${spec.minLength ?? 0} to ${spec.maxLength} characters`).error;
      if (spec.pattern && !spec.pattern.test(v))
        return fail(path, `${path} must match ${spec.patternText ?? spec.pattern.source}`).error;
      return null;
    case 'decimal':
      if (typeof v !== 'string')
        return fail(path, `${path} must be a decimal string such as "2.5" (not a JSON number)`).error;
      if (!DECIMAL_PATTERN.test(v)) return fail(path, `${path} must be a non-negative decimal string`).error;
      return null;
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min || v > spec.max)
        return fail(path, `${path} must be an integer in [${spec.min}, ${spec.max}]`).error;
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : fail(path, `${path} must be true or false`).error;
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v)
        ? null
        : fail(path, `${path} must be one of ${spec.values.join(', ')}`).error;
    case 'array': {
      if (!Array.isArray(v)) return fail(path, `${path} must be an array`).error;
      if (v.length === 0 || v.length > spec.maxItems)
        return fail(path, `${path} must have 1 to ${spec.maxItems} items`).error;
      for (let i = 0; i < v.length; i++) {
        const r = validate(spec.items, v[i], `${path}[${i}]`);
        if (!r.ok) return r.error;
      }
      return null;
    }
    case 'enumList':
      if (!Array.isArray(v) || v.length === 0 || v.length > spec.maxItems)
        return fail(path, `${path} must be an array of 1 to ${spec.maxItems} items`).error;
      if (!v.every((x) => typeof x === 'string' && spec.values.includes(x)) || new Set(v).size !== v.length)
        return fail(path, `${path} items must be distinct values of ${spec.values.join(', ')}`).error;
      return null;
  }
}

/** Each schema's fields as a list, made once (validate runs for every order). */
const fieldLists = new WeakMap<ObjectSchema, readonly (readonly [string, FieldSpec])[]>();

function fieldList(schema: ObjectSchema): readonly (readonly [string, FieldSpec])[] {
  let list = fieldLists.get(schema);
  if (list === undefined) {
    list = Object.entries(schema.fields);
    fieldLists.set(schema, list);
  }
  return list;
}

/** Checks `value` against `schema`; fields absent from the input stay absent in the output. */
export function validate<T>(schema: ObjectSchema, value: unknown, prefix = ''): Validated<T> {
  const at = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  if (!isPlainObject(value)) return fail(prefix || 'body', `${prefix || 'body'} must be a JSON object`);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(schema.fields, key))
      return { ok: false, error: errorBody('UNKNOWN_FIELD', `unknown field ${at(key)}`, at(key)) };
  }
  for (const [name, spec] of fieldList(schema)) {
    const v = value[name];
    if (v === undefined || v === null) {
      if (spec.required) return fail(at(name), `${at(name)} is required`);
      continue;
    }
    const problem = checkField(spec, v, at(name));
    if (problem !== null) return { ok: false, error: problem };
  }
  return { ok: true, value: value as T };
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of an object schema. */
export function toJsonSchema(schema: ObjectSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(schema.fields)) {
    if (spec.required) required.push(name);
    properties[name] = fieldJsonSchema(spec);
  }
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

function fieldJsonSchema(spec: FieldSpec): Record<string, unknown> {
  const d = { description: spec.description };
  switch (spec.kind) {
    case 'string':
      return {
        ...d,
        type: 'string',
        minLength: spec.minLength ?? 0,
        maxLength: spec.maxLength,
        ...(spec.pattern ? { pattern: spec.pattern.source } : {}),
      };
    case 'decimal':
      return { ...d, type: 'string', pattern: DECIMAL_PATTERN.source, examples: ['2.5'] };
    case 'integer':
      return { ...d, type: 'integer', minimum: spec.min, maximum: spec.max };
    case 'boolean':
      return { ...d, type: 'boolean' };
    case 'enum':
      return { ...d, type: 'string', enum: [...spec.values] };
    case 'array':
      return { ...d, type: 'array', minItems: 1, maxItems: spec.maxItems, items: toJsonSchema(spec.items) };
    case 'enumList':
      return {
        ...d,
        type: 'array',
        minItems: 1,
        maxItems: spec.maxItems,
        uniqueItems: true,
        items: { type: 'string', enum: [...spec.values] },
      };
  }
}
