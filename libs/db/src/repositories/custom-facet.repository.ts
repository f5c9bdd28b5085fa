/**
 * Custom facet definitions (control plane, issue #15): written by admins through the API, read by
 * the tag processor (to ask them) and by publishing (to name and bucket the answers). Every
 * method is scoped by tenant. A definition's slot (1-10) is its place in the model's answer; the
 * table's UNIQUE (tenant_id, slot) and CHECK make ten the hard limit.
 */
import type {
  CustomFacet,
  CustomFacetDefinition,
  CustomFacetInput,
  CustomFacetType,
} from '@silhouette/contracts';
import type { Queryable } from '../database';

interface Row {
  id: string;
  key: string;
  slot: number;
  question: string;
  type: CustomFacetType;
  definition: { values?: string[]; min?: number; max?: number; rules?: Record<string, string[]> };
  created_at: Date | string;
  updated_at: Date | string;
}

export interface StoredCustomFacet extends CustomFacetDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = 'id, key, slot, question, type, definition, created_at, updated_at';

const toFacet = (row: Row): StoredCustomFacet => ({
  id: row.id,
  key: row.key,
  slot: Number(row.slot),
  question: row.question,
  type: row.type,
  ...(row.definition.values ? { values: row.definition.values } : {}),
  ...(row.definition.min !== undefined ? { min: row.definition.min } : {}),
  ...(row.definition.max !== undefined ? { max: row.definition.max } : {}),
  ...(row.definition.rules ? { rules: row.definition.rules } : {}),
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

/** The type-specific part of an input, as stored in `definition`. */
function definitionOf(input: CustomFacetInput): Row['definition'] {
  switch (input.type) {
    case 'enum':
      return { values: input.values, ...(input.rules ? { rules: input.rules } : {}) };
    case 'boolean': {
      const rules = Object.fromEntries(
        Object.entries(input.rules ?? {}).filter(([, keywords]) => keywords?.length),
      ) as Record<string, string[]>;
      return Object.keys(rules).length ? { rules } : {};
    }
    case 'number':
      return { min: input.min, max: input.max };
    case 'short_text':
      return {};
  }
}

/** The API view of a stored definition. */
export function customFacetView(facet: StoredCustomFacet): CustomFacet {
  return {
    id: facet.id,
    key: facet.key,
    slot: facet.slot,
    question: facet.question,
    type: facet.type,
    ...(facet.values ? { values: [...facet.values] } : {}),
    ...(facet.min !== undefined ? { min: facet.min } : {}),
    ...(facet.max !== undefined ? { max: facet.max } : {}),
    ...(facet.rules
      ? { rules: Object.fromEntries(Object.entries(facet.rules).map(([k, v]) => [k, [...v]])) }
      : {}),
    created_at: facet.createdAt.toISOString(),
    updated_at: facet.updatedAt.toISOString(),
  };
}

/** Another definition of the tenant already has this key. */
export class CustomFacetKeyExistsError extends Error {
  constructor() {
    super('a custom facet with this key already exists');
  }
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string }).code === '23505' &&
  String(
    (error as { constraint?: string; message?: string }).constraint ?? (error as Error).message,
  ).includes(constraint);

export class CustomFacetRepository {
  constructor(private readonly db: Queryable) {}

  async list(tenantId: string): Promise<StoredCustomFacet[]> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.custom_facets WHERE tenant_id = $1 ORDER BY slot`,
      [tenantId],
    );
    return result.rows.map(toFacet);
  }

  async find(tenantId: string, id: string): Promise<StoredCustomFacet | undefined> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.custom_facets WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toFacet(result.rows[0]) : undefined;
  }

  /**
   * Adds a definition in the lowest free slot. Returns undefined when all ten slots are taken
   * (the insert selects no free slot); a duplicate key throws the unique violation (23505).
   */
  async create(tenantId: string, input: CustomFacetInput): Promise<StoredCustomFacet | undefined> {
    // Two admins adding at once may pick the same free slot: the loser tries the next one.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.insert(tenantId, input);
      } catch (error) {
        if (isUniqueViolation(error, 'tenant_id_key_key')) throw new CustomFacetKeyExistsError();
        if (!isUniqueViolation(error, 'tenant_id_slot_key') || attempt >= 3) throw error;
      }
    }
  }

  private async insert(
    tenantId: string,
    input: CustomFacetInput,
  ): Promise<StoredCustomFacet | undefined> {
    const result = await this.db.query<Row>(
      `INSERT INTO app.custom_facets (tenant_id, key, slot, question, type, definition)
       SELECT $1, $2, s.slot, $3, $4, $5::jsonb
         FROM generate_series(1, 10) AS s(slot)
        WHERE NOT EXISTS (SELECT 1 FROM app.custom_facets f WHERE f.tenant_id = $1 AND f.slot = s.slot)
        ORDER BY s.slot
        LIMIT 1
       RETURNING ${COLUMNS}`,
      [tenantId, input.key, input.question, input.type, JSON.stringify(definitionOf(input))],
    );
    return result.rows[0] ? toFacet(result.rows[0]) : undefined;
  }

  /** Replaces a definition (its slot stays). Returns undefined when it does not exist. */
  async update(
    tenantId: string,
    id: string,
    input: CustomFacetInput,
  ): Promise<StoredCustomFacet | undefined> {
    try {
      return await this.replace(tenantId, id, input);
    } catch (error) {
      if (isUniqueViolation(error, 'tenant_id_key_key')) throw new CustomFacetKeyExistsError();
      throw error;
    }
  }

  private async replace(
    tenantId: string,
    id: string,
    input: CustomFacetInput,
  ): Promise<StoredCustomFacet | undefined> {
    const result = await this.db.query<Row>(
      `UPDATE app.custom_facets
          SET key = $3, question = $4, type = $5, definition = $6::jsonb, updated_at = now()
        WHERE tenant_id = $1 AND id = $2
       RETURNING ${COLUMNS}`,
      [tenantId, id, input.key, input.question, input.type, JSON.stringify(definitionOf(input))],
    );
    return result.rows[0] ? toFacet(result.rows[0]) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.query(
      'DELETE FROM app.custom_facets WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return result.rowCount > 0;
  }
}
