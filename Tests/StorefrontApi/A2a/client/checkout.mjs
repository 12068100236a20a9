// A shopping platform on the official @a2a-js/sdk client: fetches the agent card, searches the catalog, runs a UCP
// checkout to completion with structured data parts, reads the task back, and tries a text part.
// Usage: node checkout.mjs <storefront base URL> <bearer> <platform profile URL>
// Prints one JSON document with what it saw; exits non-zero on an unexpected failure.
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { Role, TaskState } from '@a2a-js/sdk';
import { randomUUID } from 'node:crypto';

const [baseUrl, bearer, profile] = process.argv.slice(2);
const authorized = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${bearer}`);
  headers.set('UCP-Agent', `profile="${profile}"`);
  return fetch(input, { ...init, headers });
};

const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
  transports: [new JsonRpcTransportFactory({ fetchImpl: authorized })],
  cardResolver: new DefaultAgentCardResolver({ fetchImpl: fetch }),
}));
const card = await new DefaultAgentCardResolver({ fetchImpl: fetch }).resolve(baseUrl);
const client = await factory.createFromUrl(baseUrl);

const dataPart = (value) => ({ content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' });
const textPart = (value) => ({ content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: 'text/plain' });
const message = (parts, contextId = '', taskId = '', messageId = randomUUID()) => ({
  tenant: '', configuration: undefined, metadata: undefined,
  message: { messageId, contextId, taskId, role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] },
});
const dataOf = (task) => task.artifacts[0].parts.find((p) => p.content?.$case === 'data').content.value;
const state = (task) => TaskState[task.status.state];

const search = await client.sendMessage(message([dataPart({ action: 'search_catalog', limit: 5 })]));
const products = dataOf(search)['a2a.ucp.catalog.search'].products.filter((p) => p.variants[0].availability.available);

const contextId = randomUUID();
const addMessage = message([dataPart({ action: 'add_to_checkout', product_id: products[0].id, quantity: 2, buyer: { email: `a2a-${randomUUID()}@shopper.example` } })], contextId);
const added = await client.sendMessage(addMessage);
const retried = await client.sendMessage(addMessage); // same messageId: the same task, not a second checkout

const payment = { id: 'pi_1', handler_id: 'aly_test_payments', type: 'card', credential: { type: 'token', token: 'tok_aly_test_approved' } };
const completed = await client.sendMessage(message([dataPart({ action: 'complete_checkout' }), dataPart({ 'a2a.ucp.checkout.payment': payment })], contextId, added.id));
const fetched = await client.getTask({ tenant: '', id: completed.id, historyLength: undefined });

let textError = null;
try {
  await client.sendMessage(message([textPart('add a mug to my checkout')]));
} catch (error) {
  textError = String(error?.message ?? error);
}

let cancelError = null;
try {
  await client.cancelTask({ tenant: '', id: completed.id, metadata: undefined });
} catch (error) {
  cancelError = String(error?.message ?? error);
}

const checkout = dataOf(completed)['a2a.ucp.checkout'];
console.log(JSON.stringify({
  cardName: card.name,
  interfaces: card.supportedInterfaces.map((i) => ({ url: i.url, binding: i.protocolBinding, version: i.protocolVersion })),
  skills: card.skills.map((s) => s.id),
  searchState: state(search),
  productCount: products.length,
  addedState: state(added),
  addedTaskId: added.id,
  retriedTaskId: retried.id,
  completedState: state(completed),
  completedTaskId: completed.id,
  checkoutStatus: checkout.status,
  orderId: checkout.order?.id ?? null,
  fetchedState: state(fetched),
  textError,
  cancelError,
}));
