/**
 * Assembles the NestJS HTTP API from explicit dependencies. No body parser is installed: each
 * route reads its body with its own byte limit, so every error goes through one filter.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRequire } from 'node:module';
import { createAskService } from '@silhouette/analyst';
import { AdminController } from './admin/admin.controller';
import { AlertsController } from './alerts/alerts.controller';
import { UsersController } from './admin/users.controller';
import { CustomFacetsController } from './admin/custom-facets.controller';
import type { ApiDeps } from './api-deps';
import { AskController } from './ask/ask.controller';
import { AuthGuard } from './auth/auth.guard';
import { CostController } from './cost/cost.controller';
import { AuditInterceptor } from './common/audit.interceptor';
import { HttpErrorFilter } from './common/http-error.filter';
import { DocsController } from './docs/docs.controller';
import { HealthController } from './health/health.controller';
import { MetricsTokenGuard } from './health/metrics-token.guard';
import { IngestController } from './ingest/ingest.controller';
import { InsightsController } from './insights/insights.controller';
import { MapsController } from './insights/maps.controller';
import { OtlpController } from './otlp/otlp.controller';
import { PrivacyBudgetController } from './privacy/privacy-budget.controller';
import { ReportsController } from './reports/reports.controller';
import { SessionController } from './session/session.controller';
import { API_DEPS } from './tokens';

const API_PREFIXES = ['/v1', '/otlp', '/docs', '/health', '/ready', '/metrics', '/mcp'];

/**
 * Content-Security-Policy (issue #10). The dashboard is a bundle of our own scripts and styles
 * that talks to this origin only: no inline script or style, no other origin, no framing, no
 * plugins, no <base> rewriting. React sets `style` props through the CSSOM, which this allows.
 */
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** JSON and files: nothing in them may run or be framed, should a browser ever render one. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Swagger UI (our page, its bundle from swagger-ui-dist): it injects inline styles. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function apiModule(deps: ApiDeps) {
  @Module({
    controllers: [
      HealthController,
      IngestController,
      OtlpController,
      AdminController,
      UsersController,
      CustomFacetsController,
      InsightsController,
      MapsController,
      PrivacyBudgetController,
      ReportsController,
      CostController,
      AlertsController,
      SessionController,
      AskController,
      DocsController,
    ],
    providers: [{ provide: API_DEPS, useValue: deps }, AuthGuard, MetricsTokenGuard],
  })
  class ApiModule {}
  return ApiModule;
}

export async function createApiApp(given: ApiDeps): Promise<INestApplication> {
  const deps: ApiDeps = { ...given, ask: given.ask ?? createAskService(given.db, given.env) };
  const server = express();
  server.disable('x-powered-by');
  server.set('query parser', 'simple');
  server.use((request: Request, response: Response, next: NextFunction) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Frame-Options', 'DENY');
    // Insights, keys, audit entries: nothing the API answers may sit in a browser or proxy cache
    // (issue #10). The dashboard's hashed assets stay cacheable.
    const isApi = API_PREFIXES.some(
      (prefix) => request.path === prefix || request.path.startsWith(`${prefix}/`),
    );
    if (isApi && !request.path.startsWith('/docs')) {
      response.setHeader('Cache-Control', 'no-store');
      response.setHeader('Content-Security-Policy', API_CSP);
    } else {
      response.setHeader(
        'Content-Security-Policy',
        request.path.startsWith('/docs') ? DOCS_CSP : DASHBOARD_CSP,
      );
    }
    const started = performance.now();
    response.once('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.httpSeconds.observe(
        { method: request.method, route, status: String(response.statusCode) },
        seconds,
      );
      // Access log: route pattern and status only; never the body, never the full URL.
      deps.logger.info(
        {
          method: request.method,
          route,
          status: response.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'http request',
      );
    });
    next();
  });
  const swaggerUi = join(
    createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
    '..',
  );
  server.use('/docs/assets', express.static(swaggerUi, { index: false }));
  if (deps.dashboardDir && existsSync(join(deps.dashboardDir, 'index.html'))) {
    const dashboardDir = deps.dashboardDir;
    server.use(express.static(dashboardDir, { index: false }));
    // Single-page app: any other GET for a page gets index.html; API paths are never shadowed.
    server.use((request: Request, response: Response, next: NextFunction) => {
      const isApi = API_PREFIXES.some(
        (prefix) => request.path === prefix || request.path.startsWith(`${prefix}/`),
      );
      if (request.method !== 'GET' || isApi || !request.accepts('html')) return next();
      response.sendFile(join(dashboardDir, 'index.html'));
    });
  }

  const app = await NestFactory.create(apiModule(deps), new ExpressAdapter(server), {
    bodyParser: false,
    logger: false,
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpErrorFilter(deps.logger));
  app.useGlobalInterceptors(new AuditInterceptor(deps));
  app.enableShutdownHooks([]);
  return app;
}
