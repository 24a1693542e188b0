// Calls every method of @backstage/catalog-client against a running Greenroom and checks the answers.
// Env: CLIENT_DIR (folder holding node_modules), BASE_URL (…/api/catalog), TOKEN, FIXTURE_DIR, SELF_URL.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');

const { CatalogClient, CATALOG_FILTER_EXISTS } = require(
  path.join(process.env.CLIENT_DIR, 'node_modules', '@backstage', 'catalog-client'),
);

const baseUrl = process.env.BASE_URL;
const token = process.env.TOKEN;
const fixtures = process.env.FIXTURE_DIR;
const client = new CatalogClient({ discoveryApi: { getBaseUrl: async () => baseUrl } });
const auth = { token };
const checks = [];

async function check(name, fn) {
  try {
    await fn();
    checks.push({ name, ok: true });
  } catch (error) {
    checks.push({ name, ok: false, error: String(error && error.stack ? error.stack : error) });
  }
}

const refOf = e => `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`.toLowerCase();
const names = items => items.map(e => e.metadata.name);

async function main() {
  await check('getEntities: everything, with the envelope Port needs', async () => {
    const { items } = await client.getEntities({}, auth);
    assert.equal(items.length, 11);
    for (const e of items) {
      assert.ok(e.metadata.namespace && e.metadata.uid && e.metadata.etag);
      assert.ok(Array.isArray(e.relations));
    }
  });
  await check('getEntities: filter, exists, fields, order, paging', async () => {
    const kinds = await client.getEntities({ filter: { kind: ['component', 'api'] } }, auth);
    assert.equal(kinds.items.length, 4);
    const tagged = await client.getEntities({ filter: { 'metadata.tags': CATALOG_FILTER_EXISTS } }, auth);
    assert.deepEqual(names(tagged.items).sort(), ['Ledger', 'payments-api']);
    const either = await client.getEntities({ filter: [{ kind: 'api' }, { kind: 'resource' }] }, auth);
    assert.equal(either.items.length, 2);
    const projected = await client.getEntities(
      { filter: { kind: 'component' }, fields: ['kind', 'metadata.name'] }, auth);
    for (const e of projected.items) assert.deepEqual(Object.keys(e).sort(), ['kind', 'metadata']);
    const ordered = await client.getEntities(
      { filter: { kind: 'component' }, order: [{ field: 'metadata.name', order: 'desc' }] }, auth);
    assert.deepEqual(names(ordered.items), ['storefront', 'payments-api', 'Ledger']);
    const page = await client.getEntities({ filter: { kind: 'component' }, limit: 2, offset: 1 }, auth);
    assert.deepEqual(names(page.items), ['payments-api', 'storefront']);
  });
  await check('getEntitiesByRefs: order kept, missing undefined, filter and query', async () => {
    const refs = ['component:default/ledger', 'component:default/nope', 'group:default/team-a'];
    const { items } = await client.getEntitiesByRefs({ entityRefs: refs, fields: ['kind', 'metadata'] }, auth);
    assert.equal(items.length, 3);
    assert.equal(items[0].metadata.name, 'Ledger');
    assert.equal(items[1], undefined);
    assert.equal(items[2].kind, 'Group');
    const filtered = await client.getEntitiesByRefs({ entityRefs: refs, filter: { kind: 'group' } }, auth);
    assert.equal(filtered.items[0], undefined);
    assert.equal(filtered.items[2].kind, 'Group');
    const queried = await client.getEntitiesByRefs({ entityRefs: refs, query: { kind: 'component' } }, auth);
    assert.equal(queried.items[0].kind, 'Component');
    assert.equal(queried.items[2], undefined);
  });
  await check('queryEntities: GET cursors, ordering, full text, totals', async () => {
    const first = await client.queryEntities({ filter: { kind: 'component' }, limit: 2,
      orderFields: { field: 'metadata.name', order: 'asc' } }, auth);
    assert.equal(first.totalItems, 3);
    assert.deepEqual(names(first.items), ['Ledger', 'payments-api']);
    assert.ok(first.pageInfo.nextCursor);
    assert.equal(first.pageInfo.prevCursor, undefined);
    const second = await client.queryEntities({ cursor: first.pageInfo.nextCursor, limit: 2 }, auth);
    assert.deepEqual(names(second.items), ['storefront']);
    assert.equal(second.pageInfo.nextCursor, undefined);
    assert.ok(second.pageInfo.prevCursor);
    const back = await client.queryEntities({ cursor: second.pageInfo.prevCursor, limit: 2 }, auth);
    assert.deepEqual(names(back.items), ['Ledger', 'payments-api']);
    const text = await client.queryEntities({ fullTextFilter: { term: 'PAYMENTS', fields: ['metadata.name'] },
      fields: ['metadata.name'] }, auth);
    assert.deepEqual(names(text.items).sort(), ['payments-api', 'payments-db', 'payments-rest']);
    const none = await client.queryEntities({ filter: { kind: 'component' }, totalItems: 'exclude', limit: 1 }, auth);
    assert.equal(none.totalItems, 0);
  });
  await check('queryEntities: predicates go to POST and so do their cursors', async () => {
    const first = await client.queryEntities({ query: { kind: 'component' }, limit: 2 }, auth);
    assert.equal(first.totalItems, 3);
    const cursor = JSON.parse(Buffer.from(first.pageInfo.nextCursor, 'base64').toString());
    assert.ok('query' in cursor);
    const second = await client.queryEntities({ cursor: first.pageInfo.nextCursor }, auth);
    assert.equal(second.items.length, 1);
    const both = await client.queryEntities({ query: { 'spec.lifecycle': 'production' },
      filter: { kind: 'component' }, orderFields: [{ field: 'metadata.name', order: 'desc' }] }, auth);
    assert.deepEqual(names(both.items), ['storefront', 'payments-api']);
  });
  await check('streamEntities: every entity once', async () => {
    const seen = [];
    for await (const page of client.streamEntities({ pageSize: 2 }, auth)) seen.push(...page.map(refOf));
    assert.equal(seen.length, 11);
    assert.equal(new Set(seen).size, 11);
  });
  await check('getEntityByRef / getEntityByName', async () => {
    const ledger = await client.getEntityByRef('Component:default/LEDGER', auth);
    assert.equal(ledger.metadata.name, 'Ledger');
    assert.equal(await client.getEntityByRef('component:default/nope', auth), undefined);
    const byName = await client.getEntityByName({ kind: 'Component', name: 'ledger' }, auth);
    assert.equal(byName.metadata.name, 'Ledger');
  });
  await check('getEntityAncestors', async () => {
    const ancestry = await client.getEntityAncestors({ entityRef: 'component:default/ledger' }, auth);
    assert.equal(ancestry.rootEntityRef, 'component:default/ledger');
    assert.equal(ancestry.items.length, 3);
    assert.deepEqual(ancestry.items[0].parentEntityRefs, ['location:default/root']);
  });
  await check('getEntityFacets: filter and query', async () => {
    const { facets } = await client.getEntityFacets({ facets: ['kind', 'spec.type'],
      filter: { kind: 'component' } }, auth);
    assert.deepEqual(facets.kind, [{ value: 'Component', count: 3 }]);
    assert.deepEqual(facets['spec.type'], [{ value: 'service', count: 2 }, { value: 'website', count: 1 }]);
    const byQuery = await client.getEntityFacets({ facets: ['metadata.tags'], query: { kind: 'component' } }, auth);
    assert.equal(byQuery.facets['metadata.tags'].length, 3);
  });
  let rootLocation;
  await check('getLocations / queryLocations / streamLocations / getLocationById / ByRef / ByEntity', async () => {
    const { items } = await client.getLocations({}, auth);
    assert.equal(items.length, 1);
    rootLocation = items[0];
    assert.ok(rootLocation.id && rootLocation.type === 'file' && rootLocation.target.endsWith('root.yaml'));
    const queried = await client.queryLocations({ limit: 1 }, auth);
    assert.equal(queried.totalItems, 1);
    assert.deepEqual(queried.items[0], rootLocation);
    const streamed = [];
    for await (const page of client.streamLocations({}, auth)) streamed.push(...page);
    assert.equal(streamed.length, 1);
    assert.deepEqual(await client.getLocationById(rootLocation.id, auth), rootLocation);
    assert.equal(await client.getLocationById('00000000-0000-4000-8000-000000000000', auth), undefined);
    assert.deepEqual(await client.getLocationByRef(`file:${rootLocation.target}`, auth), rootLocation);
    assert.deepEqual(await client.getLocationByEntity('component:default/ledger', auth), rootLocation);
    assert.equal(await client.getLocationByEntity('component:default/nope', auth), undefined);
  });
  await check('addLocation (dry run, create, conflict) / updateLocation / removeLocationById', async () => {
    const target = path.join(fixtures, 'extra.yaml');
    const dry = await client.addLocation({ type: 'file', target, dryRun: true }, auth);
    assert.equal(dry.exists, false);
    assert.deepEqual(dry.entities.map(refOf).slice(1), ['component:default/extra']);
    const added = await client.addLocation({ type: 'file', target }, auth);
    assert.deepEqual(added.entities, []);
    assert.equal(added.location.target, target);
    await assert.rejects(client.addLocation({ type: 'file', target }, auth),
      e => e.name === 'ResponseError' && e.statusCode === 409 && e.body.error.name === 'ConflictError');
    const again = await client.addLocation({ type: 'file', target, onConflict: 'refresh' }, auth);
    assert.equal(again.location.id, added.location.id);
    const moved = path.join(fixtures, 'extra2.yaml');
    const updated = await client.updateLocation(added.location.id, { type: 'file', target: moved }, auth);
    assert.equal(updated.target, moved);
    await client.removeLocationById(added.location.id, auth);
    assert.equal(await client.getLocationById(added.location.id, auth), undefined);
  });
  await check('refreshEntity', async () => {
    await client.refreshEntity('component:default/ledger', auth);
    await assert.rejects(client.refreshEntity('component:default/nope', auth), e => e.statusCode === 404);
  });
  await check('validateEntity', async () => {
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-a' } };
    const location = 'url:https://github.com/acme/x/blob/main/catalog-info.yaml';
    assert.deepEqual(await client.validateEntity(entity, location, auth), { valid: true });
    const bad = await client.validateEntity({ ...entity, spec: { type: 'service' } }, location, auth);
    assert.equal(bad.valid, false);
    assert.ok(bad.errors.length > 0 && bad.errors[0].message);
  });
  await check('analyzeLocation', async () => {
    const result = await client.analyzeLocation(
      { location: { type: 'url', target: `${process.env.SELF_URL}/acme/shop` } }, auth);
    assert.deepEqual(result.existingEntityFiles, []);
    assert.equal(result.generateEntities[0].entity.metadata.name, 'shop');
  });
  await check('removeEntityByUid', async () => {
    const entity = await client.getEntityByRef('system:default/billing', auth);
    await client.removeEntityByUid(entity.metadata.uid, auth);
    assert.equal(await client.getEntityByRef('system:default/billing', auth), undefined);
  });
  await check('errors: 401 and 400 come back as Backstage errors', async () => {
    await assert.rejects(client.getEntities({}),
      e => e.statusCode === 401 && e.body.error.name === 'AuthenticationError');
    await assert.rejects(client.getEntities({}, { token: 'grn_nope_nope' }), e => e.statusCode === 401);
    await assert.rejects(client.getEntities({ order: [{ field: 'x', order: 'sideways' }] }, auth),
      e => e.statusCode === 400 && e.body.error.name === 'InputError');
  });
  process.stdout.write(JSON.stringify(checks) + '\n');
  process.exit(checks.every(c => c.ok) ? 0 : 1);
}

main().catch(error => {
  process.stdout.write(JSON.stringify([...checks, { name: 'main', ok: false, error: String(error.stack) }]) + '\n');
  process.exit(1);
});
