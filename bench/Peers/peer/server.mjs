// The peer authorization server of bench/Peers: panva's oidc-provider (version pinned in package.json) with an
// in-memory store (its default adapter), one confidential client authenticating with client_secret_basic, opaque
// access tokens, and the client_credentials grant and token introspection enabled.
//   node server.mjs <port> <client_id> <client_secret>
// Prints "listening <port>" once it accepts requests.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret] = process.argv.slice(2);
if (!port || !clientId || !clientSecret) {
  console.error('usage: node server.mjs <port> <client_id> <client_secret>');
  process.exit(2);
}

const issuer = `http://127.0.0.1:${port}`;
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const scopes = ['read:orders', 'read:content'];

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: scopes.join(' '),
  }],
  scopes,
  jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256', kid: 'bench' }] },
  cookies: { keys: [clientSecret] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // The one client introspects the tokens it was issued, as a resource server would.
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId },
  },
  // Opaque access tokens (no resource indicators, so no JWT format): looked up in the store on introspection.
  ttl: { ClientCredentials: 3600 },
});
provider.proxy = false;

const server = provider.listen(Number(port), '127.0.0.1', () => console.log(`listening ${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
