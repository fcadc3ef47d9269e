/** Item helpers that import no SDK, so the authorizer can use them without loading it. */
export type Item = Record<string, unknown>;

/** Key and index attributes are the store's business: records never carry them. */
const STORE_ATTRIBUTES = new Set([
  'pk',
  'sk',
  'ttl',
  'gsi1pk',
  'gsi1sk',
  'listPk',
  'listSk',
  'rolePk',
  'statusPk',
  'roleStatusPk',
  'timePk',
  'atSk',
  'actorPk',
  'targetPk',
  'actionPk',
  'kindPk',
  'kindSk',
]);

export const withoutKeys = <T>(item: Item): T =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !STORE_ATTRIBUTES.has(name))) as T;
