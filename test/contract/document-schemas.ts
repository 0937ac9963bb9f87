import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from './openapi-document.ts';

/**
 * The document's schemas, compiled by Ajv for JSON Schema 2020-12 (OpenAPI 3.1's dialect). The
 * whole document is added as one schema, so a schema anywhere in it is compiled by its JSON pointer
 * and its `$ref`s (`#/components/schemas/…`) resolve from the document root as OpenAPI means.
 */
const DOCUMENT_ID = 'urn:secpass:openapi';

// OpenAPI keywords a schema object may carry beside JSON Schema's; Ajv's strict mode would refuse them.
const OPENAPI_SCHEMA_KEYWORDS = ['discriminator', 'xml', 'externalDocs', 'example'];

// ajv-formats is CommonJS with its function on `default`; under Node's ESM interop it may arrive either way.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

export interface SchemaCheck {
  valid: boolean;
  /** One line per failure: where in the instance, and what. */
  problems: string[];
}

const describe = (errors: readonly ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((error) => {
    const allowed = error.keyword === 'enum' ? ` ${JSON.stringify(error.params.allowedValues)}` : '';
    return `${error.instancePath || 'the value'} ${error.message ?? error.keyword}${allowed}`;
  });

export class DocumentSchemas {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    // strictTypes off: `allOf: [Error, { properties: { error: { enum } } }]` narrows without repeating `type`.
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
    addFormats(this.ajv);
    // The document's own top-level fields (`openapi`, `paths`…) are not schema keywords: ignore them.
    this.ajv.addVocabulary([...Object.keys(document), ...OPENAPI_SCHEMA_KEYWORDS]);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
  }

  /** Validates `instance` against the schema at `pointer` (e.g. `/components/schemas/Error`). */
  check(pointer: string, instance: unknown): SchemaCheck {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      this.compiled.set(pointer, validate);
    }
    const valid = validate(instance) === true;
    return { valid, problems: valid ? [] : describe(validate.errors) };
  }
}
