// Logs in to the Aspire dashboard with the printed login URL and screenshots the resources and traces
// pages in headless Chromium. Usage: node dashboard-screenshot.mjs <login-url> <output-folder>
import { chromium } from 'playwright-core';

const [loginUrl, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(loginUrl);
  await page.waitForURL(url => !url.pathname.startsWith('/login'), { timeout: 30000 });
  const base = new URL(loginUrl).origin;

  await page.goto(`${base}/`);
  await page.getByText('storefrontapi').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(3000); // let health badges settle
  await page.screenshot({ path: `${outDir}/dashboard-resources.png`, fullPage: true });

  await page.goto(`${base}/traces`);
  await page.getByText('/api/storefront/v1/merchant/orders').first().waitFor({ timeout: 60000 });
  await page.screenshot({ path: `${outDir}/dashboard-traces.png`, fullPage: true });

  // The newest StorefrontApi trace of an orders request, with its span tree.
  const trace = page.getByText('/api/storefront/v1/merchant/orders').last();
  if (await trace.count() > 0) {
    await trace.click();
    await page.waitForTimeout(3000);
    await page.screenshot({ path: `${outDir}/dashboard-trace-detail.png`, fullPage: true });
    const text = await page.innerText('body');
    console.log(`trace detail mentions postgres: ${/postgres|storedb|npgsql/i.test(text)}, redis: ${/redis/i.test(text)}`);
  }
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
}
