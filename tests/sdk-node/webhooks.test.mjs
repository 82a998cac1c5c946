// The official Node SDK's webhook verifier accepts what Clearance delivers. Run through
// tests/sdk-node/run.sh, which starts `clearance serve` and exports CLEARANCE_URL and keys.
import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";

import { ComplyCube, EventVerifier } from "@complycube/api";

function complycube() {
  const cc = new ComplyCube({ apiKey: process.env.CLEARANCE_TEST_KEY });
  // How an integrator points the SDK at Clearance: the base URL of its HTTP client.
  cc.axiosInstance.defaults.baseURL = `${process.env.CLEARANCE_URL}/v1`;
  return cc;
}

function receiver() {
  const deliveries = [];
  let wake = () => {};
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ signature: req.headers["complycube-signature"], body: Buffer.concat(chunks) });
      res.writeHead(200).end();
      wake();
    });
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no delivery within 20 s")), 20000);
      const check = () => {
        if (deliveries.length > 0) {
          clearTimeout(timer);
          resolve(deliveries.shift());
        }
      };
      wake = check;
      check();
    });
  return { server, next };
}

test("delivered events pass the official Node verifier", async () => {
  const cc = complycube();
  const { server, next } = receiver();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const url = `http://127.0.0.1:${server.address().port}/hook`;
    const hook = await cc.webhook.create({ url, enabled: true, events: ["client.created"] });
    assert.ok(hook.secret);
    const client = await cc.client.create({
      type: "person",
      email: "ada@example.org",
      personDetails: { firstName: "Ada", lastName: "Lovelace" },
    });
    const { signature, body } = await next();
    const event = new EventVerifier(hook.secret).constructEvent(body, signature);
    assert.equal(event.type, "client.created");
    assert.equal(event.payload.id, client.id);
    assert.throws(() => new EventVerifier("wrong-secret").constructEvent(body, signature));
    await cc.webhook.delete(hook.id);
  } finally {
    server.close();
  }
});
