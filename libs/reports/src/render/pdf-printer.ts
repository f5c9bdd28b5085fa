/**
 * PDF by printing the report's HTML in headless Chromium (playwright-core, the system's
 * Chromium: nothing is downloaded). One browser per process, started on first use; each
 * report gets its own context, so nothing carries over between tenants.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export class PdfUnavailableError extends Error {
  readonly code = 'pdf_unavailable';
}

export class PdfPrinter {
  private browser?: Promise<Browser>;

  constructor(
    private readonly executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    private readonly timeoutMs = 60_000,
  ) {}

  private launch(): Promise<Browser> {
    if (!existsSync(this.executablePath)) {
      throw new PdfUnavailableError(
        `Chromium not found at ${this.executablePath}; PDF reports need it (set CHROMIUM_PATH or install chromium)`,
      );
    }
    this.browser ??= chromium
      .launch({
        executablePath: this.executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        timeout: this.timeoutMs,
      })
      .catch((error: unknown) => {
        this.browser = undefined;
        throw error;
      });
    return this.browser;
  }

  async print(html: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(this.timeoutMs);
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close();
  }
}
