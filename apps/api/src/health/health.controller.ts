import { Controller, Get, Inject, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiDeps } from '../api-deps';
import { API_DEPS } from '../tokens';
import { MetricsTokenGuard } from './metrics-token.guard';

/**
 * Liveness, readiness (database and queue; false once shutdown begins) and Prometheus metrics
 * (the operator's: `METRICS_TOKEN`, see `metrics-token.guard.ts`).
 */
@Controller()
export class HealthController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const checks: Record<string, string> = {};
    checks.shutdown = this.deps.isShuttingDown() ? 'shutting down' : 'ok';
    checks.database = await this.deps.db.query('SELECT 1').then(
      () => 'ok',
      () => 'unreachable',
    );
    checks.queue = await this.deps.queue.ping().then(
      () => 'ok',
      () => 'unreachable',
    );
    const ready = Object.values(checks).every((value) => value === 'ok');
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  }

  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  async metrics(@Res() response: Response): Promise<void> {
    const body = await this.deps.metrics.render();
    response.setHeader('Content-Type', this.deps.metrics.contentType);
    response.send(body);
  }
}
