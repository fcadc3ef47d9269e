/** Example requests to the authorizer's role: what it must refuse, and what it must keep. */
import type { DynamoRequest } from '../support/dynamo-iam';
import type { TableRef } from './narrow-roles';

/** Requests the authorizer's role must refuse, whatever else changes. */
export const refusedToAuthorizer: [string, TableRef, DynamoRequest][] = [
  [
    'rewrite the published keys',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['JWKS'], Attributes: ['pk', 'sk', 'jwks'], ReturnValues: ['NONE'] },
    },
  ],
  [
    'put a published key set',
    'tokens',
    { action: 'dynamodb:PutItem', context: { LeadingKeys: ['JWKS'], Attributes: ['jwks'] } },
  ],
  [
    'revoke or unrevoke an API token',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['APITOKEN#t'], Attributes: ['pk', 'sk', 'revokedAt'] },
    },
  ],
  [
    'read back a whole API token item on update',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['APITOKEN#t'],
        Attributes: ['pk', 'sk', 'lastUsedAt'],
        ReturnValues: ['ALL_NEW'],
      },
    },
  ],
  [
    'touch lastUsedAt of a session',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['SESSION#s'], Attributes: ['pk', 'sk', 'lastUsedAt'] },
    },
  ],
  [
    'read a refresh token',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['REFRESH#h'], Attributes: ['pk', 'sk', 'sid'] },
    },
  ],
  [
    'read a whole session (no projection)',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['SESSION#s'], Select: ['ALL_ATTRIBUTES'] },
    },
  ],
  [
    "read a client's secret hash",
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['CLIENT#c'], Attributes: ['pk', 'sk', 'secretHash'] },
    },
  ],
  [
    "read a user's password hash",
    'users',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['USER#u'], Attributes: ['pk', 'sk', 'passwordHash'] },
    },
  ],
  [
    'read an email guard',
    'users',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['EMAIL#e'], Attributes: ['pk', 'sk', 'role'] },
    },
  ],
  ['scan the tokens', 'tokens', { action: 'dynamodb:Scan', context: {} }],
  [
    'query the sessions of a user',
    'tokens',
    { action: 'dynamodb:Query', context: { LeadingKeys: ['USER#u'], Attributes: ['pk'] } },
  ],
  [
    "query a client's sessions",
    'tokens',
    {
      action: 'dynamodb:Query',
      context: {
        LeadingKeys: ['CLIENTSESSIONS#c'],
        Attributes: ['pk', 'sk'],
        Select: ['SPECIFIC_ATTRIBUTES'],
      },
    },
  ],
  [
    'query the revocation feed for more than its sort key',
    'tokens',
    {
      action: 'dynamodb:Query',
      context: { LeadingKeys: ['REVOKED#0'], Attributes: ['pk', 'sk', 'ttl'] },
    },
  ],
  [
    'query the revocation feed for every attribute',
    'tokens',
    {
      action: 'dynamodb:Query',
      context: { LeadingKeys: ['REVOKED#0'], Select: ['ALL_ATTRIBUTES'] },
    },
  ],
];

export const allowedToAuthorizer: [string, TableRef, DynamoRequest][] = [
  [
    'query the revocation feed',
    'tokens',
    {
      action: 'dynamodb:Query',
      context: {
        LeadingKeys: ['REVOKED#3'],
        Attributes: ['pk', 'sk'],
        Select: ['SPECIFIC_ATTRIBUTES'],
      },
    },
  ],
  [
    'stamp lastUsedAt',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['APITOKEN#t'],
        Attributes: ['pk', 'lastUsedAt'],
        ReturnValues: ['NONE'],
      },
    },
  ],
  [
    'read the published keys',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: {
        LeadingKeys: ['JWKS'],
        Attributes: ['pk', 'sk', 'generation', 'jwks'],
        Select: ['SPECIFIC_ATTRIBUTES'],
      },
    },
  ],
];
