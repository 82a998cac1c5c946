// The official Node SDK's lookup calls against the register and address samples
// tests/support/start-server.sh imports (Companies House, PSC, ONSPD, OS Open Names,
// OpenAddresses Berlin, and the synthetic records the PHP suite reads).
import assert from "node:assert/strict";
import { test } from "node:test";

import { ComplyCube } from "@complycube/api";

function complycube(key = process.env.CLEARANCE_TEST_KEY) {
  const cc = new ComplyCube({ apiKey: key });
  cc.axiosInstance.defaults.baseURL = `${process.env.CLEARANCE_URL}/v1`;
  return cc;
}

test("searchCompany finds a company by its name without the legal form, first", async () => {
  for (const key of [process.env.CLEARANCE_TEST_KEY, process.env.CLEARANCE_LIVE_KEY]) {
    const found = await complycube(key).lookup.searchCompany({
      companyName: "Mercury Resources",
      incorporationCountry: "GB",
    });
    assert.equal(found.items[0].name, "MERCURY RESOURCES (UK) LIMITED");
    assert.equal(found.items[0].owners, undefined);
  }
  const cledara = await complycube().lookup.searchCompany({
    companyName: "CLEDARA",
    incorporationCountry: "GB",
  });
  assert.equal(cledara.items.length, 2);
});

test("getCompany answers owners, filings and industry codes", async () => {
  const id = Buffer.from("gb__08209948").toString("hex");
  const company = await complycube().lookup.getCompany(id);
  assert.equal(company.name, "! LTD");
  assert.equal(company.owners[0].lastName, "Feldman");
  assert.ok(company.filings.length > 0);
  assert.equal(company.industryCodes[0].code, "99999");
  await assert.rejects(complycube().lookup.getCompany("no-such-company"), (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.type, "resource_not_found");
    return true;
  });
});

test("searchAddress answers house-level and street-level addresses", async () => {
  const berlin = await complycube().lookup.searchAddress({
    line: "Potsdamer Straße 4",
    postalCode: "10785",
    country: "DE",
  });
  assert.equal(berlin.items[0].line, "Potsdamer Straße 4");
  assert.equal(berlin.items[0].city, "Berlin");
  const stirling = await complycube().lookup.searchAddress({
    line: "12 Carron Place",
    postalCode: "FK7 7XX",
    country: "GB",
  });
  assert.equal(stirling.items[0].line, "12 Carron Place");
  await assert.rejects(
    complycube().lookup.searchAddress({ line: "1 Rue de Rivoli", postalCode: "75001", country: "FR" }),
    (e) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.param, "country");
      return true;
    },
  );
});
