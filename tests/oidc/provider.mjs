// A real OpenID provider for the tests (tests/integration/test_oidc.py): the certified npm
// package oidc-provider, not a mock, with three clients (secret, private_key_jwt, public with
// PKCE only) and the accounts in ACCOUNTS below. Sign-in needs no human: the interaction route
// signs in the account named by the authorization request's `login_hint` (or
// OIDC_TEST_ACCOUNT) and consents to the requested scopes, so a plain HTTP client can follow
// the redirects end to end. `login_hint=cancel` answers `access_denied`, as a user pressing
// "Cancel" at a real provider does.
//
// Installed by `scripts/setup --dev` (npm ci --prefix tests/oidc); never used in production.
//
//   REDIRECT_URIS=http://127.0.0.1:8050/staff/sign-in/oidc/callback node tests/oidc/provider.mjs 0
//
// Arguments and environment:
//   argv[2] or PORT  port to listen on, on 127.0.0.1 (0: any free port)
//   CLIENT_ID      the confidential client's id                  (default: cxdash)
//   CLIENT_SECRET  its secret (client_secret_basic)               (default: cxdash-test-secret)
//   REDIRECT_URIS  space-separated redirect URIs of every client  (required)
//   CLIENT_JWKS    optional JSON {"keys": [...]}: the public keys of the client CLIENT_ID-jwt,
//                  which authenticates with private_key_jwt (login.gov's way)
//   OIDC_TEST_ACCOUNT  the account signed in when the request has no login_hint
//   (CLIENT_ID-public is a public client: no secret, PKCE alone)
//
// It prints "ready <issuer>" on one line once listening, and exits on SIGTERM or SIGINT.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

// Accounts by login_hint. Claims other than these are not asserted.
const ACCOUNTS = {
  alice: { sub: 'alice-0001', email: 'alice@agency.example.gov', email_verified: true },
  // Mixed case: staff accounts are matched by email case-insensitively.
  bob: { sub: 'bob-0002', email: 'Bob@Agency.Example.gov', email_verified: true },
  // An address the provider has not verified: never enough to match a staff account.
  carol: { sub: 'carol-0003', email: 'carol@agency.example.gov', email_verified: false },
  // A verified address that no staff account has.
  stranger: { sub: 'stranger-0004', email: 'stranger@elsewhere.example', email_verified: true },
  // Another identity claiming alice's address (for the "already linked" case).
  alice2: { sub: 'alice-9999', email: 'alice@agency.example.gov', email_verified: true },
};

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const clientId = process.env.CLIENT_ID || 'cxdash';
const clientSecret = process.env.CLIENT_SECRET || 'cxdash-test-secret';
const redirectUris = (process.env.REDIRECT_URIS || '').split(/\s+/).filter(Boolean);
if (redirectUris.length === 0) {
  console.error('provider: REDIRECT_URIS is required');
  process.exit(2);
}

const clients = [
  {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
];
if (process.env.CLIENT_JWKS) {
  clients.push({
    client_id: `${clientId}-jwt`,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: JSON.parse(process.env.CLIENT_JWKS),
  });
}

// The provider knows an account by its subject (the ID token's `sub`).
// A public client: no secret, PKCE alone (login.gov's other way), named CLIENT_ID + "-public".
clients.push({
  client_id: `${clientId}-public`,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
});

function accountFor(subject) {
  const account = Object.values(ACCOUNTS).find((candidate) => candidate.sub === subject);
  if (!account) return undefined;
  return {
    accountId: subject,
    // Called for the ID token and for userinfo: the scopes decide which claims are released.
    async claims() {
      return { ...account };
    },
  };
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients,
    findAccount: (ctx, id) => accountFor(id),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: [] },
    scopes: ['openid', 'email', 'profile'],
    pkce: { required: () => true },
    // Random per run: nothing here is kept between runs.
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  return provider;
}

async function interact(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  const hint = params.login_hint || process.env.OIDC_TEST_ACCOUNT || 'alice';
  if (hint === 'cancel') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (prompt.name === 'login') {
    if (!ACCOUNTS[hint]) {
      await provider.interactionFinished(
        req,
        res,
        { error: 'login_required', error_description: `no test account ${hint}` },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNTS[hint].sub } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  if (prompt.name === 'consent') {
    const accountId = details.session.accountId;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain' });
  res.end(`unexpected prompt ${prompt.name}`);
}

// The issuer names the port, so the server listens first and the provider is built after.
let provider;
let handle;
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interact(provider, req, res).catch((error) => {
      console.error('provider: interaction failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = buildProvider(issuer);
  handle = provider.callback();
  provider.on('server_error', (ctx, error) => console.error('provider: server_error:', error));
  console.log(`ready ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
