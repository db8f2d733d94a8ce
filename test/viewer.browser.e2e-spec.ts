import type { Browser, Page } from 'puppeteer-core';
import { call, type PredictionBody } from './harness/batch-api';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { infra, poll, uniquePrefix } from './harness/test-env';
import { collectProblems, launchBrowser, screenshot } from './viewer-support/browser';
import { startSeededStack, TENANT_KEYS } from './viewer-support/seeded-stack';

const ADMIN_KEY = 'admin-key-for-the-viewer-test';

interface Listed extends Omit<PredictionBody, 'result'> {
  result: {
    label: string;
    confidence: number;
    probabilities: Array<{ label: string; probability: number }>;
  } | null;
}

/** Texts of every element matching a selector. */
const texts = (page: Page, selector: string): Promise<string[]> =>
  page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));

/**
 * The viewer in a real browser (Debian's headless Chromium) against the real stack: API, worker,
 * Redis, S3 server, tiny demo model. Saves the README's screenshots to docs/screenshots/.
 */
describe('viewer in a browser', () => {
  const prefix = uniquePrefix('viewerui');
  let stack: Awaited<ReturnType<typeof startSeededStack>>;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let all: Listed[];

  beforeAll(async () => {
    stack = await startSeededStack(prefix, { ADMIN_API_KEY: ADMIN_KEY });
    const listed = await call<{ predictions: Listed[] }>(
      stack.a,
      'GET',
      `/v1/batches/${stack.batch.id}/predictions?limit=500`,
    );
    all = listed.body.predictions;
    browser = await launchBrowser();
    page = await browser.newPage();
    problems = collectProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('refuses a wrong key and shows the notice before sign-in', async () => {
    await page.goto(`${stack.url}/ui/`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('[data-testid=notice]', (e) => e.textContent)).toMatch(
      /research and decision support only, not a diagnosis/i,
    );
    await page.type('[data-testid=api-key]', 'not-a-key-of-anyone');
    await page.click('[data-testid=signin-submit]');
    // Functions that run in the page are strings here: the tests' TypeScript has no DOM types.
    await page.waitForFunction("document.querySelector('[data-testid=signin-error]').textContent !== ''");
    expect(await page.$eval('[data-testid=signin-error]', (e) => e.textContent)).toBe(
      'That API key was refused.',
    );
    expect(await page.$('[data-testid=batches]')).toBeNull();
    problems.length = 0; // the refused key's 401 is the one error this test expects
    expect(await page.evaluate('location.href')).not.toContain('not-a-key');
  });

  it("signs in and shows the seeded batch's progress and thumbnails", async () => {
    await page.$eval('[data-testid=api-key]', (e) => ((e as unknown as { value: string }).value = ''));
    await page.type('[data-testid=api-key]', TENANT_KEYS.a);
    await page.click('[data-testid=signin-submit]');
    await page.waitForSelector(`[data-batch-id="${stack.batch.id}"]`);
    const row = await page.$eval(`[data-batch-id="${stack.batch.id}"]`, (e) => e.textContent ?? '');
    expect(row).toContain('Dermoscopy archive 2019');
    expect(row).toContain(`${all.length} / ${all.length}`);
    expect(row).toContain('completed');
    expect(await page.evaluate('location.href')).not.toContain(TENANT_KEYS.a);
    await page.click(`[data-batch-id="${stack.batch.id}"] a`);
    const succeeded = all.filter((p) => p.status === 'succeeded').length;
    await page.waitForFunction(
      `[...document.querySelectorAll('[data-testid=thumbnail]')].filter((img) => img.complete && img.naturalWidth > 0).length === ${succeeded}`,
    );
    expect(await page.$$('[data-testid=card]')).toHaveLength(all.length);
    expect(await texts(page, '[data-testid=failure]')).toEqual([expect.stringMatching(/^invalid_image: /)]);
    await screenshot(page, 'viewer-batch');
  });

  it('filters to "not a lesion"', async () => {
    const expected = all
      .filter((p) => ['random', 'clear skin'].includes(p.result?.label ?? ''))
      .map((p) => p.id);
    expect(expected.length).toBeGreaterThan(0);
    await page.click('[data-testid=filter-not_lesion]');
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid=card]').length === ${expected.length} && ` +
        `/end of the list/.test(document.querySelector('[data-testid=grid-info]').textContent)`,
    );
    const shown = await page.$$eval('[data-testid=card]', (cards) =>
      cards.map((c) => c.getAttribute('data-prediction-id')),
    );
    expect(shown).toEqual(expected);
    expect(await texts(page, '[data-testid=mark-not_lesion]')).toHaveLength(expected.length);
  });

  it("downloads the current filter as CSV, row for row the API export's", async () => {
    const expected = all
      .filter((p) => ['random', 'clear skin'].includes(p.result?.label ?? ''))
      .map((p) => p.id);
    const folder = join(infra().scratch, `downloads-${prefix}`);
    const cdp = await browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: folder });
    await page.click('[data-testid=csv]');
    const file = join(folder, `${stack.batch.id}.csv`);
    const csv = await poll(
      () => readFile(file, 'utf8').catch(() => ''),
      (text) => text.endsWith('\r\n'),
      30_000,
      100,
    );
    const exported = (await call(stack.a, 'GET', `/v1/batches/${stack.batch.id}/results?format=csv`)).text;
    const [header, ...rows] = exported.trimEnd().split('\r\n');
    const wanted = rows.filter((row) => expected.includes(row.split(',')[0]));
    expect(csv.trimEnd().split('\r\n')).toEqual([header, ...wanted]);
    expect(wanted).toHaveLength(expected.length);
  });

  it('opens one image and reads 12 bars in model order summing to 100%', async () => {
    const first = await page.$eval('[data-testid=card]', (c) => c.getAttribute('data-prediction-id'));
    await page.click('[data-testid=card]');
    await page.waitForFunction("document.querySelectorAll('[data-testid=prob-value]').length > 0");
    const prediction = all.find((p) => p.id === first)!;
    const labels = await texts(page, '[data-testid=prob-label]');
    expect(labels).toEqual(prediction.result!.probabilities.map((p) => p.label));
    expect(labels).toHaveLength(12);
    const values = await page.$$eval('[data-testid=prob-value]', (els) =>
      els.map((e) => Number(e.getAttribute('data-probability'))),
    );
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const shownPercent = (await texts(page, '[data-testid=prob-value]')).map((t) =>
      Number(t.replace('%', '')),
    );
    expect(Math.abs(shownPercent.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(12 * 0.005 + 1e-9);
    const full = await call<{ result: { model: { id: string; version: string } } }>(
      stack.a,
      'GET',
      `/v1/predictions/${first}`,
    );
    expect(await page.$eval('[data-testid=model-version]', (e) => e.textContent)).toBe(
      full.body.result.model.version,
    );
    expect(await page.$eval('[data-testid=model-id]', (e) => e.textContent)).toBe(full.body.result.model.id);
    expect(await page.$eval('[data-testid=preprocessing]', (e) => e.textContent)).toBe('exact');
  });

  it('shows an explanation overlay with an opacity slider', async () => {
    const photo = all.find((p) => p.filename === 'photos/dermoscopy_2048x1536.jpg')!;
    await page.goto(`${stack.url}/ui/#/prediction/${photo.id}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=explain]');
    await page.waitForFunction(
      "/No explanation yet/.test(document.querySelector('[data-testid=explain-status]').textContent)",
    );
    await page.click('[data-testid=explain]');
    await page.waitForFunction(
      "(() => { const img = document.querySelector('[data-testid=overlay]'); " +
        'return !!img && !img.hidden && img.complete && img.naturalWidth === 384; })()',
      { timeout: 90_000 },
    );
    await page.$eval('[data-testid=overlay-opacity]', (e) => {
      (e as unknown as { value: string }).value = '45';
      e.dispatchEvent(new Event('input'));
    });
    expect(
      await page.$eval(
        '[data-testid=overlay]',
        (e) => (e as unknown as { style: { opacity: string } }).style.opacity,
      ),
    ).toBe('0.45');
    expect(await page.$eval('[data-testid=explain-status]', (e) => e.textContent)).toContain(
      photo.result!.label,
    );
    await screenshot(page, 'viewer-explanation');
    expect(problems).toEqual([]);
  });

  it('opens Bull Board with the admin key only', async () => {
    const url = `${stack.url}/admin/queues`;
    // Without a key, and with a tenant's key, the dashboard answers 401 (checked over plain HTTP:
    // a headless browser turns an unanswered auth challenge into a network error).
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: stack.a.headers })).status).toBe(401);
    const wrong = Buffer.from(`admin:${TENANT_KEYS.a}`).toString('base64');
    expect((await fetch(url, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
    const admin = await browser.newPage();
    try {
      await admin.authenticate({ username: 'admin', password: ADMIN_KEY });
      expect((await admin.goto(url, { waitUntil: 'networkidle0' }))?.status()).toBe(200);
      for (const queue of ['inference', 'preprocess', 'webhooks'])
        await admin.waitForFunction(`document.body.innerText.includes(${JSON.stringify(queue)})`);
      await screenshot(admin, 'bull-board');
    } finally {
      await admin.close();
    }
  });
});
