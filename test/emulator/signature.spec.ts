import assert from "node:assert/strict";
import { canonicalQuery, computeSignature, percentEncode, stringToSign } from "../../emulator";
import { rfc3986, sign } from "./helpers";

describe("emulator signature", () => {
  it("encodes the characters encodeURIComponent leaves alone except ~", () => {
    assert.equal(percentEncode("a!b'c(d)e*f~g h"), "a%21b%27c%28d%29e%2Af~g%20h");
    assert.equal(percentEncode("2026-11-30T03:33:28Z"), "2026-11-30T03%3A33%3A28Z");
    assert.equal(percentEncode("/"), "%2F");
    assert.equal(percentEncode("é+;="), "%C3%A9%2B%3B%3D");
  });

  it("matches the signature of Alibaba Cloud's published example request", () => {
    const params = {
      AccessKeyId: "testid",
      Action: "DescribeRegions",
      Format: "XML",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
      SignatureVersion: "1.0",
      Timestamp: "2016-02-23T12:46:24Z",
      Version: "2014-05-26",
    };
    assert.equal(
      stringToSign("GET", params),
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" +
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26",
    );
    assert.equal(computeSignature("GET", params, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });

  it("leaves Signature out of the canonical query and sorts keys by code unit", () => {
    const q = canonicalQuery({ b: "1", Signature: "x", a: "2", B: "3", "UserNames.10": "y" });
    assert.equal(q, "B=3&UserNames.10=y&a=2&b=1");
  });

  it("agrees with the independent test signer on awkward values", () => {
    const params = {
      Action: "X",
      "UserNames.1": "o'neil(*)!~ 名前",
      "UserNames.2": "a+b&c=d%",
      Timestamp: "2026-01-01T00:00:00Z",
    };
    assert.equal(percentEncode(params["UserNames.1"]), rfc3986(params["UserNames.1"]));
    assert.equal(computeSignature("POST", params, "s3cret"), sign("POST", params, "s3cret"));
    assert.notEqual(computeSignature("GET", params, "s3cret"), sign("POST", params, "s3cret"));
  });
});
