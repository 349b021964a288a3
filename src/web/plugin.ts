import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import type { Config } from '../config.ts';
import { SESSION_SECONDS } from '../auth/sign-in.ts';
import { registerPageAccess } from './access.ts';
import { adminPages } from './admin/routes.ts';
import { commitmentPages } from './commitments/routes.ts';
import { registerPageErrors, registerPageNotFound } from './errors.ts';
import { forecastPages } from './forecasts/routes.ts';
import { returnPages } from './returns/routes.ts';
import { grantPages } from './grants/routes.ts';
import { importPages } from './imports/routes.ts';
import { programmePages } from './programme/routes.ts';
import type { AnyReport } from '../reports/definition.ts';
import { reportPages } from './reports/routes.ts';
import { regionPages } from './regions/routes.ts';
import { resolveSessionKey } from './session/secret.ts';
import { sessionPages } from './session/routes.ts';
import { configureNunjucks, GOVUK_ASSETS, GOVUK_DIST, govukInlineScriptHash, PUBLIC_DIR, VIEWS_DIR } from './view.ts';

export interface WebOptions {
  readonly config: Config;
  /** The reports whose downloads the pages serve: the registry's unless the app is built with others. */
  readonly reports?: readonly AnyReport[];
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * GOV.UK Frontend's compiled stylesheet and script only; its templates and Sass stay private.
 * Its fonts (GDS Transport), images (the crown and crest) and manifest are for services on
 * GOV.UK, which a council's is not: without the fonts its stylesheet falls back to Arial.
 */
const GOVUK_ASSET_PATH = /^\/govuk-frontend\.min\.(css|js)$/;

/** Everything under the pages' own scope: the API keeps its JSON parser, tokens and errors. */
async function webPages(app: FastifyInstance, { config, reports }: WebOptions): Promise<void> {
  await app.register(formbody);
  await app.register(secureSession, {
    key: await resolveSessionKey(config),
    cookieName: 'ringfence_session',
    expiry: SESSION_SECONDS,
    cookie: { path: '/', httpOnly: true, secure: config.secureCookies, sameSite: 'lax', maxAge: SESSION_SECONDS },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
  await app.register(fastifyStatic, {
    root: GOVUK_ASSETS,
    prefix: '/assets/',
    allowedPath: (path) => GOVUK_ASSET_PATH.test(path),
    maxAge: '1d',
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', decorateReply: false, maxAge: '1h' });
  await app.register(view, {
    engine: { nunjucks },
    templates: [VIEWS_DIR, GOVUK_DIST],
    options: { autoescape: true, throwOnUndefined: false, onConfigure: configureNunjucks },
  });

  registerPageAccess(app);
  registerPageErrors(app);
  // Every state-changing page request must carry the form's CSRF token. preValidation, not
  // onRequest: the token travels in the form body, which is parsed only after onRequest.
  app.addHook('preValidation', (request, reply, done) => {
    if (UNSAFE_METHODS.has(request.method)) app.csrfProtection(request, reply, done);
    else done();
  });

  await app.register(sessionPages);
  await app.register(grantPages);
  await app.register(commitmentPages);
  await app.register(forecastPages);
  await app.register(returnPages);
  await app.register(importPages);
  await app.register(reportPages, { reports });
  await app.register(programmePages);
  await app.register(adminPages);
  await app.register(regionPages);
  registerPageNotFound(app);
}

/**
 * The web pages for people (GOV.UK Frontend, server-rendered), and the security headers for
 * the whole app. Helmet is registered here, outside the pages' scope, so the API and /docs get
 * the headers too; its CSP allows what Swagger UI needs (scripts and styles from 'self', inline
 * style attributes) and GOV.UK's one inline script by hash.
 */
export const webPlugin = fp(
  async (app: FastifyInstance, options: WebOptions) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", govukInlineScriptHash()],
          // Over plain http (development, tests) upgrading would break every asset.
          'upgrade-insecure-requests': options.config.secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: options.config.secureCookies,
    });
    await app.register(webPages, options);
  },
  { name: 'web', dependencies: ['database', 'access'] },
);
