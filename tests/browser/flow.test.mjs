// The hosted verification flow in headless Debian Chromium with a fake camera: one client
// completes every step and lands on successUrl, after which the API shows the document, the
// live photo and the checks; another cancels and lands on cancelUrl. A screenshot of each step
// goes to target/browser-screenshots/<run>-<step>.png.
//
// Needs CLEARANCE_URL and CLEARANCE_TEST_KEY (tests/support/start-server.sh sets them) and
// Chromium at /usr/bin/chromium (or CHROMIUM).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const shots = path.join(root, 'target', 'browser-screenshots');
const fixture = path.join(here, 'fixtures', 'camera.y4m');
const base = process.env.CLEARANCE_URL;
const key = process.env.CLEARANCE_TEST_KEY;
assert.ok(base && key, 'CLEARANCE_URL and CLEARANCE_TEST_KEY must be set');

let browser;
let landing;
let landingUrl;

// Where successUrl and cancelUrl point: a page that just says where the browser landed.
function startLanding() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Landed</title><h1>Landed on ${req.url.replace(/[^\w/?=&-]/g, '')}</h1>`);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function api(method, pathname, body) {
  const response = await fetch(base + pathname, {
    method,
    headers: { Authorization: key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function newClient(lastName) {
  return api('POST', '/v1/clients', {
    type: 'person',
    email: `${lastName.toLowerCase()}@example.com`,
    personDetails: { firstName: 'Ada', lastName },
  });
}

async function newSession(clientId, extra) {
  const session = await api('POST', '/v1/flow/sessions', {
    clientId,
    successUrl: `${landingUrl}/success`,
    cancelUrl: `${landingUrl}/cancel`,
    ...extra,
  });
  return session.redirectUrl;
}

async function newPage(run) {
  const context = await browser.newContext({
    viewport: { width: 412, height: 900 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(String(e)));
  const shot = (step) =>
    page.screenshot({ path: path.join(shots, `${run}-${step}.png`), fullPage: true });
  return { page, context, violations, shot };
}

// Waits for the page to reach `step`. Slow CI machines get 30 s; when the page is stuck, the
// failure says which step it is on and what error it shows, not only that time ran out.
async function current(page, step) {
  try {
    await page.waitForSelector(`main[data-current="${step}"]`, { timeout: 30000 });
  } catch (e) {
    const on = await page.getAttribute('main', 'data-current').catch(() => null);
    const error = await page.textContent('#error').catch(() => null);
    throw new Error(`waiting for step ${step}: the page is on ${on}, showing error ${JSON.stringify(error)}: ${e.message}`);
  }
}

async function cameraLive(page, step) {
  await page.waitForFunction(
    (s) => {
      const v = document.querySelector(`section[data-step="${s}"] video`);
      return v && v.readyState >= 2 && v.videoWidth > 0;
    },
    step,
    { timeout: 15000 },
  );
}

async function capture(page, shot, step) {
  await cameraLive(page, step);
  await shot(`${step}-camera`);
  await page.click(`section[data-step="${step}"] [data-action="shoot"]`);
  await page.waitForSelector(`section[data-step="${step}"] img.preview:not([hidden])`);
  await shot(`${step}-preview`);
  await page.click(`section[data-step="${step}"] [data-action="use"]`);
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  landing = await startLanding();
  landingUrl = `http://127.0.0.1:${landing.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${fixture}`,
    ],
  });
});

after(async () => {
  await browser?.close();
  landing?.close();
});

test('a client completes the flow and lands on successUrl; the API shows what was captured', async () => {
  const client = await newClient('Lovelace');
  const link = await newSession(client.id, {
    checkTypes: ['standard_screening_check', 'document_check', 'identity_check'],
    documentTypes: { passport: true, driving_license: true },
    theme: 'light',
    language: 'en',
    supportEmail: 'help@example.com',
  });
  const { page, context, violations, shot } = await newPage('complete');

  const response = await page.goto(link);
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  await current(page, 'consent');
  await shot('consent');

  // Continuing without consent is refused with a message.
  await page.click('[data-action="consent"]');
  await page.waitForSelector('#error:not([hidden])');
  await page.check('#consent-box');
  await page.click('[data-action="consent"]');

  await current(page, 'document');
  // A British driving licence has two sides: the back step follows the front.
  await page.check('input[name="doc-type"][value="driving_license"]');
  await page.selectOption('#country', 'GB');
  await shot('document');
  await page.click('[data-action="document"]');

  await current(page, 'front');
  // A file under the size floor is refused in the page, with the localized message.
  await page.setInputFiles('section[data-step="front"] input[type="file"]', {
    name: 'tiny.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.alloc(2000, 1),
  });
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /too small/i);
  await shot('front-error');
  // A file the server cannot decode is refused on sending, with its own message.
  await page.setInputFiles('section[data-step="front"] input[type="file"]', {
    name: 'broken.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40000, 7)]),
  });
  await page.click('section[data-step="front"] [data-action="use"]');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /could not read/i);
  await page.click('section[data-step="front"] [data-action="retake"]');
  await capture(page, shot, 'front');

  await current(page, 'back');
  await capture(page, shot, 'back');

  await current(page, 'selfie');
  // Losing the network while sending says so; sending again once back online works.
  await cameraLive(page, 'selfie');
  await shot('selfie-camera');
  await page.click('section[data-step="selfie"] [data-action="shoot"]');
  await page.waitForSelector('section[data-step="selfie"] img.preview:not([hidden])');
  await shot('selfie-preview');
  await context.setOffline(true);
  await page.click('section[data-step="selfie"] [data-action="use"]');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /connection/i);
  await shot('selfie-offline');
  await context.setOffline(false);
  await page.click('section[data-step="selfie"] [data-action="use"]');

  await current(page, 'review');
  assert.equal(await page.locator('#thumbs img').count(), 3);
  await shot('review');
  await page.click('[data-action="finish"]');
  await page.waitForURL(`${landingUrl}/success`, { timeout: 15000 });
  await shot('success');
  assert.deepEqual(violations, [], 'no CSP violations or script errors');
  await context.close();

  const docs = await api('GET', `/v1/documents?clientId=${client.id}`);
  assert.equal(docs.totalItems, 1, JSON.stringify(docs));
  assert.equal(docs.items[0].type, 'driving_license');
  assert.equal(docs.items[0].issuingCountry, 'GB');
  assert.equal(docs.items[0].images.length, 2);
  const photos = await api('GET', `/v1/livePhotos?clientId=${client.id}`);
  assert.equal(photos.totalItems, 1, JSON.stringify(photos));
  const checks = await api('GET', `/v1/checks?clientId=${client.id}`);
  const types = checks.items.map((c) => c.type).sort();
  assert.deepEqual(types, ['document_check', 'identity_check', 'standard_screening_check']);
  for (const c of checks.items) {
    if (c.type !== 'standard_screening_check') assert.equal(c.documentId, docs.items[0].id);
  }
  // The identity check the flow made runs to a result (the sandbox's, with this test key).
  const identity = checks.items.find((c) => c.type === 'identity_check');
  let ran = identity;
  for (let i = 0; i < 200 && ran.status === 'pending'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    ran = await api('GET', `/v1/checks/${identity.id}`);
  }
  assert.equal(ran.status, 'complete', JSON.stringify(ran));
  assert.equal(ran.livePhotoId, photos.items[0].id);
  assert.ok(['clear', 'attention'].includes(ran.result.outcome), JSON.stringify(ran));
  assert.ok(ran.result.breakdown.faceAnalysis.facialSimilarity, JSON.stringify(ran));

  // The link is spent.
  const again = await fetch(link);
  assert.equal(again.status, 410);
});

test('a workflow template is walked to the end and its session completes by its policy', async () => {
  const template = await api('POST', '/v1/workflowTemplates', {
    name: 'Browser onboarding',
    tasks: [
      { type: 'consent' },
      { type: 'document_capture', documentTypes: ['passport'] },
      { type: 'selfie' },
      { type: 'check', checkType: 'document_check' },
      { type: 'check', checkType: 'identity_check' },
      { id: 'aml', type: 'check', checkType: 'standard_screening_check' },
    ],
  });
  const client = await newClient('Babbage');
  const link = await newSession(client.id, { workflowTemplateId: template.id });
  const sessions = await api('GET', `/v1/workflowSessions?clientId=${client.id}`);
  assert.equal(sessions.totalItems, 1, JSON.stringify(sessions));
  const id = sessions.items[0].id;
  assert.equal(sessions.items[0].status, 'started');

  const { page, context, violations, shot } = await newPage('workflow');
  await page.goto(link);
  await current(page, 'consent');
  await page.check('#consent-box');
  await page.click('[data-action="consent"]');
  await current(page, 'document');
  // The template's capture task offers passports only.
  assert.equal(await page.locator('input[name="doc-type"]').count(), 1);
  await page.check('input[name="doc-type"][value="passport"]');
  await page.selectOption('#country', 'GB');
  await page.click('[data-action="document"]');
  await current(page, 'front');
  await capture(page, shot, 'front');
  await current(page, 'selfie');
  await capture(page, shot, 'selfie');
  await current(page, 'review');
  await page.click('[data-action="finish"]');
  await page.waitForURL(`${landingUrl}/success`, { timeout: 15000 });
  assert.deepEqual(violations, [], 'no CSP violations or script errors');
  await context.close();

  let session = await api('GET', `/v1/workflowSessions/${id}`);
  for (let i = 0; i < 300 && session.status !== 'complete'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    session = await api('GET', `/v1/workflowSessions/${id}`);
  }
  assert.equal(session.status, 'complete', JSON.stringify(session));
  // The sandbox clears a client named Babbage; the default policy then gives clear.
  assert.equal(session.outcome, 'clear', JSON.stringify(session));
  assert.deepEqual(
    session.allRelatedChecks.map((c) => c.type),
    ['document_check', 'identity_check', 'standard_screening_check'],
  );
  assert.equal(session.lastCompletedTaskId !== undefined, true);
  const report = await api('GET', `/v1/reports?workflowSessionId=${id}`);
  assert.equal(report.contentType, 'application/pdf');
});

test('a client cancels and lands on cancelUrl; nothing is created', async () => {
  const client = await newClient('Hopper');
  const link = await newSession(client.id, {
    checkTypes: ['identity_check'],
    theme: 'dark',
    language: 'fr',
    allowDocumentUpload: false,
  });
  const { page, context, violations, shot } = await newPage('cancel');
  await page.goto(link);
  await current(page, 'consent');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await shot('consent');
  await page.check('#consent-box');
  await page.click('[data-action="consent"]');
  await current(page, 'document');
  assert.equal(await page.locator('input[type="file"]').count(), 0, 'no upload when not allowed');
  await shot('document');
  await page.click('#cancel');
  await page.waitForURL(`${landingUrl}/cancel`, { timeout: 15000 });
  await shot('cancelled');
  assert.deepEqual(violations, []);
  await context.close();

  const checks = await api('GET', `/v1/checks?clientId=${client.id}`);
  assert.equal(checks.totalItems, 0);
  const page2 = await fetch(link);
  assert.equal(page2.status, 200, 'a cancelled session can be resumed');
});
